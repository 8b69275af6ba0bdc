package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/samber/lo"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	karpv1 "sigs.k8s.io/karpenter/pkg/apis/v1"
	"sigs.k8s.io/karpenter/pkg/controllers/nodeclaim/disruption"
	nodepoolhash "sigs.k8s.io/karpenter/pkg/controllers/nodepool/hash"

	v1 "github.com/aws/karpenter-provider-aws/pkg/apis/v1"
	nodeclasshash "github.com/aws/karpenter-provider-aws/pkg/controllers/nodeclass/hash"
	"github.com/aws/karpenter-provider-aws/pkg/providers/instance"
)

// An upgrade of Karpenter is judged by two binaries, since two releases of the same modules cannot
// share a process: the old release's `launch` writes a cluster as it left it (the render's
// NodePools and EC2NodeClasses as its API server stored them and its hash controllers annotated
// them, and a launched NodeClaim with its instance for every node the pools allow), and the new
// release's `drift-existing` reads that cluster as the upgraded API server serves it (pruned and
// defaulted by the new CRDs), runs its own hash controllers on the objects as they are (hash
// versions and all) and its disruption controller on every NodeClaim: the nodes that drift
// because of the upgrade itself. `drift-existing` run by the release that launched is the control:
// nothing drifts.

// Launched is what `launch` writes: the objects as JSON (each release decodes them into its own
// types) and the instances behind the NodeClaims (the AWS provider's instance cache).
type Launched struct {
	Versions    Versions           `json:"versions"`
	Region      string             `json:"region"`
	Zones       []string           `json:"zones"`
	NodePools   []json.RawMessage  `json:"nodePools"`
	NodeClasses []json.RawMessage  `json:"nodeClasses"`
	NodeClaims  []json.RawMessage  `json:"nodeClaims"`
	Instances   []LaunchedInstance `json:"instances"`
}

// LaunchedInstance is what the provider's drift reads of an EC2 instance (pkg/cloudprovider/drift.go).
type LaunchedInstance struct {
	ID               string   `json:"id"`
	ImageID          string   `json:"imageID"`
	Type             string   `json:"type"`
	Zone             string   `json:"zone"`
	ZoneID           string   `json:"zoneID"`
	CapacityType     string   `json:"capacityType"`
	SecurityGroupIDs []string `json:"securityGroupIDs"`
	SubnetID         string   `json:"subnetID"`
	Tenancy          string   `json:"tenancy"`
}

// launchFolder launches every node the NodePools of a rendered folder allow, as this release would.
func launchFolder(ctx context.Context, region string, zones []string, dir string) (*Launched, error) {
	ctx = contextWithOptions(ctx)
	m, err := readFolder(dir)
	if err != nil {
		return nil, err
	}
	if len(m.nodePools) == 0 {
		return nil, fmt.Errorf("%s holds no NodePool", dir)
	}
	for _, nc := range m.nodeClasses {
		resolveStatus(nc, zones)
	}
	r := &render{pools: m.nodePools, classes: m.nodeClasses}
	infos, err := namedInstanceTypes(r.pools)
	if err != nil {
		return nil, err
	}
	env, err := newAWSEnv(ctx, region, zones, newClient(), infos)
	if err != nil {
		return nil, err
	}
	kubeClient, err := annotated(ctx, env, r)
	if err != nil {
		return nil, err
	}
	nodeClaims, err := launchRender(ctx, env, "launch", kubeClient, r)
	if err != nil {
		return nil, err
	}
	if err := createAll(ctx, kubeClient, nodeClaims); err != nil {
		return nil, err
	}
	// The provider lists instance types in no fixed order: by name, so that the same render is the same file.
	sort.Slice(nodeClaims, func(a, b int) bool { return nodeClaims[a].Name < nodeClaims[b].Name })
	out := &Launched{Versions: versions(), Region: region, Zones: zones, NodePools: []json.RawMessage{}, NodeClasses: []json.RawMessage{}, NodeClaims: []json.RawMessage{}, Instances: []LaunchedInstance{}}
	add := func(into *[]json.RawMessage, o client.Object, kind string) error {
		// What the API server holds, TypeMeta included (the fake client leaves it empty on typed objects).
		if err := kubeClient.Get(ctx, client.ObjectKeyFromObject(o), o); err != nil {
			return err
		}
		data, err := json.Marshal(o)
		if err != nil {
			return err
		}
		var raw map[string]any
		if err := json.Unmarshal(data, &raw); err != nil {
			return err
		}
		raw["apiVersion"], raw["kind"] = map[string]string{"NodePool": "karpenter.sh/v1", "NodeClaim": "karpenter.sh/v1", "EC2NodeClass": "karpenter.k8s.aws/v1"}[kind], kind
		data, err = json.Marshal(raw)
		*into = append(*into, data)
		return err
	}
	for _, np := range r.pools {
		if err := add(&out.NodePools, np, "NodePool"); err != nil {
			return nil, err
		}
	}
	for _, nc := range r.classes {
		if err := add(&out.NodeClasses, nc, "EC2NodeClass"); err != nil {
			return nil, err
		}
	}
	for _, nodeClaim := range nodeClaims {
		if err := add(&out.NodeClaims, nodeClaim, "NodeClaim"); err != nil {
			return nil, err
		}
		id := instanceID(nodeClaim)
		cached, ok := env.instanceCache.Get(id)
		if !ok {
			return nil, fmt.Errorf("NodeClaim %s: no instance %s in the cache", nodeClaim.Name, id)
		}
		i := cached.(*instance.Instance)
		out.Instances = append(out.Instances, LaunchedInstance{ID: i.ID, ImageID: i.ImageID, Type: string(i.Type), Zone: i.Zone, ZoneID: i.ZoneID, CapacityType: i.CapacityType, SecurityGroupIDs: i.SecurityGroupIDs, SubnetID: i.SubnetID, Tenancy: i.Tenancy})
	}
	return out, nil
}

// launchRender is a launched NodeClaim for every node the render's pools allow (drift.go
// launchedNodes), its instance in the provider's cache; kubeClient holds the render.
func launchRender(ctx context.Context, env *awsEnv, id string, kubeClient client.Client, r *render) ([]*karpv1.NodeClaim, error) {
	cloud := env.cloudFor(kubeClient)
	classes := lo.SliceToMap(r.classes, func(nc *v1.EC2NodeClass) (string, *v1.EC2NodeClass) { return nc.Name, nc })
	var nodeClaims []*karpv1.NodeClaim
	for _, np := range r.pools {
		nc := classes[np.Spec.Template.Spec.NodeClassRef.Name]
		if nc == nil {
			continue
		}
		its, err := cloud.GetInstanceTypes(ctx, np)
		if err != nil {
			return nil, fmt.Errorf("NodePool %s: %w", np.Name, err)
		}
		nodeClaims = append(nodeClaims, launchedNodes(env, id, np, nc, its)...)
	}
	return nodeClaims, nil
}

func createAll(ctx context.Context, kubeClient client.Client, nodeClaims []*karpv1.NodeClaim) error {
	for _, nodeClaim := range nodeClaims {
		if err := kubeClient.Create(ctx, nodeClaim); err != nil {
			return fmt.Errorf("creating NodeClaim %s: %w", nodeClaim.Name, err)
		}
	}
	return nil
}

// instanceID is the EC2 instance of a NodeClaim's provider ID (aws:///<zone>/<id>).
func instanceID(nodeClaim *karpv1.NodeClaim) string {
	id := nodeClaim.Status.ProviderID
	for i := len(id) - 1; i >= 0; i-- {
		if id[i] == '/' {
			return id[i+1:]
		}
	}
	return id
}

// UpgradeResult is what this release decides about a cluster another release (or itself) left.
type UpgradeResult struct {
	From Versions `json:"from"`
	To   Versions `json:"to"`
	// Pools and Classes are the hash annotations of each NodePool and EC2NodeClass as the launching
	// release left them and as this release's hash controllers rewrite them.
	Pools   map[string]HashChange `json:"pools"`
	Classes map[string]HashChange `json:"classes"`
	Nodes   []ExistingNode        `json:"nodes"`
}

type HashChange struct {
	Hash    [2]string `json:"hash"`
	Version [2]string `json:"version"`
}

// ExistingNode is one launched NodeClaim: the Drifted condition's reason ("" when it does not
// drift) and the annotations this release's hash controllers rewrote on it (a hash version change
// re-stamps a NodeClaim instead of drifting it).
type ExistingNode struct {
	NodeVerdict
	NodeClaim string   `json:"nodeClaim"`
	Restamped []string `json:"restamped"`
}

var hashAnnotations = []string{karpv1.NodePoolHashAnnotationKey, karpv1.NodePoolHashVersionAnnotationKey, v1.AnnotationEC2NodeClassHash, v1.AnnotationEC2NodeClassHashVersion}

// driftExisting reads what `launch` wrote and judges every NodeClaim with this release's controllers.
func driftExisting(ctx context.Context, data []byte) (*UpgradeResult, error) {
	ctx = contextWithOptions(ctx)
	var launched Launched
	if err := json.Unmarshal(data, &launched); err != nil {
		return nil, fmt.Errorf("reading the launched cluster: %w", err)
	}
	if launched.Region == "" || len(launched.Zones) == 0 || len(launched.NodePools) == 0 {
		return nil, fmt.Errorf("the launched cluster needs a region, zones and NodePools (the output of `karpenter launch`)")
	}
	r := &render{}
	var objects []client.Object
	for i, doc := range launched.NodeClasses {
		nc, err := storedNodeClass(doc)
		if err != nil {
			return nil, fmt.Errorf("EC2NodeClass %d: %w", i, err)
		}
		r.classes = append(r.classes, nc)
		objects = append(objects, nc)
	}
	for i, doc := range launched.NodePools {
		np, err := storedNodePool(doc)
		if err != nil {
			return nil, fmt.Errorf("NodePool %d: %w", i, err)
		}
		r.pools = append(r.pools, np)
		objects = append(objects, np)
	}
	var names []string
	before := map[string]map[string]string{}
	for i, doc := range launched.NodeClaims {
		nodeClaim, err := storedNodeClaim(doc)
		if err != nil {
			return nil, fmt.Errorf("NodeClaim %d: %w", i, err)
		}
		names = append(names, nodeClaim.Name)
		before[nodeClaim.Name] = lo.PickByKeys(nodeClaim.Annotations, hashAnnotations)
		objects = append(objects, nodeClaim)
	}
	infos, err := namedInstanceTypes(r.pools)
	if err != nil {
		return nil, err
	}
	env, err := newAWSEnv(ctx, launched.Region, launched.Zones, newClient(), infos)
	if err != nil {
		return nil, err
	}
	for _, i := range launched.Instances {
		env.instanceCache.SetDefault(i.ID, &instance.Instance{
			State: ec2types.InstanceStateNameRunning, ID: i.ID, ImageID: i.ImageID, Type: ec2types.InstanceType(i.Type), Zone: i.Zone, ZoneID: i.ZoneID,
			CapacityType: i.CapacityType, SecurityGroupIDs: i.SecurityGroupIDs, SubnetID: i.SubnetID, Tenancy: i.Tenancy,
		})
	}
	// The fake API server numbers its own resource versions.
	for _, o := range objects {
		o.SetResourceVersion("")
	}
	kubeClient := newClient(objects...)
	cloud := env.cloudFor(kubeClient)
	result := &UpgradeResult{From: launched.Versions, To: versions(), Pools: map[string]HashChange{}, Classes: map[string]HashChange{}, Nodes: []ExistingNode{}}
	// The hash controllers first: a NodeClaim whose hash version differs from its NodePool's or
	// EC2NodeClass's is never compared by hash, so the order in a cluster, where they run side by
	// side, makes no difference to the verdict (they re-stamp NodeClaims before the NodePool or
	// EC2NodeClass carries the new version).
	for _, np := range r.pools {
		old := [2]string{np.Annotations[karpv1.NodePoolHashAnnotationKey], np.Annotations[karpv1.NodePoolHashVersionAnnotationKey]}
		if _, err := nodepoolhash.NewController(kubeClient, cloud).Reconcile(ctx, np); err != nil {
			return nil, fmt.Errorf("hashing NodePool %s: %w", np.Name, err)
		}
		result.Pools[np.Name] = HashChange{Hash: [2]string{old[0], np.Annotations[karpv1.NodePoolHashAnnotationKey]}, Version: [2]string{old[1], np.Annotations[karpv1.NodePoolHashVersionAnnotationKey]}}
	}
	for _, nc := range r.classes {
		old := [2]string{nc.Annotations[v1.AnnotationEC2NodeClassHash], nc.Annotations[v1.AnnotationEC2NodeClassHashVersion]}
		if _, err := nodeclasshash.NewController(kubeClient, nil).Reconcile(ctx, nc); err != nil {
			return nil, fmt.Errorf("hashing EC2NodeClass %s: %w", nc.Name, err)
		}
		result.Classes[nc.Name] = HashChange{Hash: [2]string{old[0], nc.Annotations[v1.AnnotationEC2NodeClassHash]}, Version: [2]string{old[1], nc.Annotations[v1.AnnotationEC2NodeClassHashVersion]}}
	}
	controller := disruption.NewController(env.clock, kubeClient, cloud)
	for _, name := range names {
		nodeClaim := &karpv1.NodeClaim{}
		if err := kubeClient.Get(ctx, types.NamespacedName{Name: name}, nodeClaim); err != nil {
			return nil, err
		}
		restamped := []string{}
		for _, key := range hashAnnotations {
			if nodeClaim.Annotations[key] != before[name][key] {
				restamped = append(restamped, key)
			}
		}
		if _, err := controller.Reconcile(ctx, nodeClaim); err != nil {
			return nil, fmt.Errorf("reconciling NodeClaim %s: %w", name, err)
		}
		// The verdict is what the controller persisted (a conflicting status patch would be dropped and requeued).
		if err := kubeClient.Get(ctx, types.NamespacedName{Name: name}, nodeClaim); err != nil {
			return nil, err
		}
		reason := ""
		if cond := nodeClaim.StatusConditions().Get(karpv1.ConditionTypeDrifted); cond != nil && cond.IsTrue() {
			reason = cond.Reason
		}
		result.Nodes = append(result.Nodes, ExistingNode{
			NodeVerdict: NodeVerdict{
				Pool:         nodeClaim.Labels[karpv1.NodePoolLabelKey],
				InstanceType: nodeClaim.Labels[corev1.LabelInstanceTypeStable],
				CapacityType: nodeClaim.Labels[karpv1.CapacityTypeLabelKey],
				Zone:         nodeClaim.Labels[corev1.LabelTopologyZone],
				Reason:       reason,
			},
			NodeClaim: name,
			Restamped: restamped,
		})
	}
	sort.Slice(result.Nodes, func(a, b int) bool { return result.Nodes[a].NodeClaim < result.Nodes[b].NodeClaim })
	return result, nil
}
