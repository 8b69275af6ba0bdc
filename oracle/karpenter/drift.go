package main

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/awslabs/operatorpkg/status"
	"github.com/samber/lo"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	karpv1 "sigs.k8s.io/karpenter/pkg/apis/v1"
	"sigs.k8s.io/karpenter/pkg/cloudprovider"
	"sigs.k8s.io/karpenter/pkg/controllers/nodeclaim/disruption"
	nodepoolhash "sigs.k8s.io/karpenter/pkg/controllers/nodepool/hash"
	karpscheduling "sigs.k8s.io/karpenter/pkg/scheduling"

	v1 "github.com/aws/karpenter-provider-aws/pkg/apis/v1"
	nodeclasshash "github.com/aws/karpenter-provider-aws/pkg/controllers/nodeclass/hash"
	"github.com/aws/karpenter-provider-aws/pkg/providers/amifamily"
	"github.com/aws/karpenter-provider-aws/pkg/providers/instance"
)

// DriftCorpus is a set of changes: each a previous and a current render of NodePools and EC2NodeClasses.
type DriftCorpus struct {
	Region string      `json:"region"`
	Zones  []string    `json:"zones"`
	Cases  []DriftCase `json:"cases"`
}

type DriftCase struct {
	ID     string            `json:"id"`
	Before []json.RawMessage `json:"before"`
	After  []json.RawMessage `json:"after"`
}

type DriftResult struct {
	Versions Versions       `json:"versions"`
	Cases    []DriftVerdict `json:"cases"`
}

// DriftVerdict is what Karpenter decides for every node of the previous render once the current one is applied.
type DriftVerdict struct {
	ID string `json:"id"`
	// Hashes of each NodePool template and EC2NodeClass, before and after, as the hash controllers annotate them.
	PoolHashes  map[string][2]string `json:"poolHashes"`
	ClassHashes map[string][2]string `json:"classHashes"`
	Nodes       []NodeVerdict        `json:"nodes"`
}

// NodeVerdict is one node of the previous render: the Drifted condition's reason, or "" when it does not drift.
type NodeVerdict struct {
	Pool         string `json:"pool"`
	InstanceType string `json:"instanceType"`
	CapacityType string `json:"capacityType"`
	Zone         string `json:"zone"`
	Reason       string `json:"reason"`
}

type render struct {
	pools   []*karpv1.NodePool
	classes []*v1.EC2NodeClass
}

func readRender(docs []json.RawMessage, zones []string) (*render, error) {
	m := &manifests{}
	for i, doc := range docs {
		if err := m.add(doc); err != nil {
			return nil, fmt.Errorf("object %d: %w", i, err)
		}
	}
	for _, nc := range m.nodeClasses {
		resolveStatus(nc, zones)
	}
	return &render{pools: m.nodePools, classes: m.nodeClasses}, nil
}

func driftCorpus(ctx context.Context, data []byte) (*DriftResult, error) {
	ctx = contextWithOptions(ctx)
	var corpus DriftCorpus
	if err := json.Unmarshal(data, &corpus); err != nil {
		return nil, fmt.Errorf("reading the corpus: %w", err)
	}
	if corpus.Region == "" || len(corpus.Zones) == 0 {
		return nil, fmt.Errorf("the corpus needs a region and zones")
	}
	renders := make([][2]*render, len(corpus.Cases))
	for i, c := range corpus.Cases {
		before, err := readRender(c.Before, corpus.Zones)
		if err != nil {
			return nil, fmt.Errorf("case %s before: %w", c.ID, err)
		}
		after, err := readRender(c.After, corpus.Zones)
		if err != nil {
			return nil, fmt.Errorf("case %s after: %w", c.ID, err)
		}
		renders[i] = [2]*render{before, after}
	}
	infos, err := corpusInstanceTypes(renders)
	if err != nil {
		return nil, err
	}
	env, err := newAWSEnv(ctx, corpus.Region, corpus.Zones, newClient(), infos)
	if err != nil {
		return nil, err
	}
	// Cases are independent (a client each; the instance types and their caches are shared and
	// safe for concurrent use): one worker per CPU.
	verdicts := make([]*DriftVerdict, len(corpus.Cases))
	errs := make([]error, len(corpus.Cases))
	next := make(chan int, len(corpus.Cases))
	for i := range corpus.Cases {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				verdicts[i], errs[i] = driftCase(ctx, env, corpus.Cases[i].ID, renders[i][0], renders[i][1])
			}
		})
	}
	wg.Wait()
	result := &DriftResult{Versions: versions(), Cases: []DriftVerdict{}}
	for i, c := range corpus.Cases {
		if errs[i] != nil {
			return nil, fmt.Errorf("case %s: %w", c.ID, errs[i])
		}
		result.Cases = append(result.Cases, *verdicts[i])
	}
	return result, nil
}

// corpusInstanceTypes keeps the EC2 universe to the types the corpus's pools name.
func corpusInstanceTypes(renders [][2]*render) ([]ec2types.InstanceTypeInfo, error) {
	var pools []*karpv1.NodePool
	for _, pair := range renders {
		for _, r := range pair {
			pools = append(pools, r.pools...)
		}
	}
	return namedInstanceTypes(pools)
}

// namedInstanceTypes are the generated instance types the pools name (every pool must name its
// types with node.kubernetes.io/instance-type In, else all): nothing else can be launched, and
// resolving all 1,336 for every node class of a corpus would take minutes.
func namedInstanceTypes(pools []*karpv1.NodePool) ([]ec2types.InstanceTypeInfo, error) {
	all, err := instanceTypeInfos()
	if err != nil {
		return nil, err
	}
	named := map[string]bool{}
	for _, np := range pools {
		found := false
		for _, req := range np.Spec.Template.Spec.Requirements {
			if req.Key == corev1.LabelInstanceTypeStable && req.Operator == corev1.NodeSelectorOpIn {
				found = true
				for _, v := range req.Values {
					named[v] = true
				}
			}
		}
		if !found {
			return all, nil
		}
	}
	return lo.Filter(all, func(info ec2types.InstanceTypeInfo, _ int) bool { return named[string(info.InstanceType)] }), nil
}

// annotated is a client holding a render, its objects annotated by the hash controllers as they run
// in a cluster (core pkg/controllers/nodepool/hash, provider pkg/controllers/nodeclass/hash), with
// the hash versions already current so that they only (re)write the hashes.
func annotated(ctx context.Context, env *awsEnv, r *render) (client.Client, error) {
	for _, np := range r.pools {
		np.Annotations = lo.Assign(np.Annotations, map[string]string{karpv1.NodePoolHashVersionAnnotationKey: karpv1.NodePoolHashVersion})
	}
	for _, nc := range r.classes {
		nc.Annotations = lo.Assign(nc.Annotations, map[string]string{v1.AnnotationEC2NodeClassHashVersion: v1.EC2NodeClassHashVersion})
	}
	var objects []client.Object
	for _, nc := range r.classes {
		objects = append(objects, nc)
	}
	for _, np := range r.pools {
		objects = append(objects, np)
	}
	kubeClient := newClient(objects...)
	cloud := env.cloudFor(kubeClient)
	for _, np := range r.pools {
		if _, err := nodepoolhash.NewController(kubeClient, cloud).Reconcile(ctx, np); err != nil {
			return nil, fmt.Errorf("hashing NodePool %s: %w", np.Name, err)
		}
	}
	for _, nc := range r.classes {
		if _, err := nodeclasshash.NewController(kubeClient, nil).Reconcile(ctx, nc); err != nil {
			return nil, fmt.Errorf("hashing EC2NodeClass %s: %w", nc.Name, err)
		}
	}
	return kubeClient, nil
}

// driftCase launches a node of every instance type, capacity type and zone each NodePool of the
// previous render allows, as Karpenter would have launched it (labels of provider cloudprovider.go
// instanceToNodeClaim, hash annotations of both hash controllers, the AMI, subnet and security groups
// the previous resolution gives), applies the current render, and reconciles every node with the
// nodeclaim disruption controller (core pkg/controllers/nodeclaim/disruption: Drift, which asks the
// AWS cloud provider's IsDrifted).
func driftCase(ctx context.Context, env *awsEnv, id string, before, after *render) (*DriftVerdict, error) {
	verdict := &DriftVerdict{ID: id, PoolHashes: map[string][2]string{}, ClassHashes: map[string][2]string{}, Nodes: []NodeVerdict{}}
	beforeClient, err := annotated(ctx, env, before)
	if err != nil {
		return nil, err
	}
	afterClient, err := annotated(ctx, env, after)
	if err != nil {
		return nil, err
	}
	for _, np := range before.pools {
		verdict.PoolHashes[np.Name] = [2]string{np.Annotations[karpv1.NodePoolHashAnnotationKey], ""}
	}
	for _, np := range after.pools {
		verdict.PoolHashes[np.Name] = [2]string{verdict.PoolHashes[np.Name][0], np.Annotations[karpv1.NodePoolHashAnnotationKey]}
	}
	for _, nc := range before.classes {
		verdict.ClassHashes[nc.Name] = [2]string{nc.Annotations[v1.AnnotationEC2NodeClassHash], ""}
	}
	for _, nc := range after.classes {
		verdict.ClassHashes[nc.Name] = [2]string{verdict.ClassHashes[nc.Name][0], nc.Annotations[v1.AnnotationEC2NodeClassHash]}
	}
	// The previous render's nodes (its node classes resolved from its own client), in the client
	// that holds the current one.
	nodeClaims, err := launchRender(ctx, env, id, beforeClient, before)
	if err != nil {
		return nil, err
	}
	if err := createAll(ctx, afterClient, nodeClaims); err != nil {
		return nil, err
	}
	controller := disruption.NewController(env.clock, afterClient, env.cloudFor(afterClient))
	for _, nodeClaim := range nodeClaims {
		if _, err := controller.Reconcile(ctx, nodeClaim); err != nil {
			return nil, fmt.Errorf("reconciling NodeClaim %s: %w", nodeClaim.Name, err)
		}
		reason := ""
		if cond := nodeClaim.StatusConditions().Get(karpv1.ConditionTypeDrifted); cond != nil && cond.IsTrue() {
			reason = cond.Reason
		}
		verdict.Nodes = append(verdict.Nodes, NodeVerdict{
			Pool:         nodeClaim.Labels[karpv1.NodePoolLabelKey],
			InstanceType: nodeClaim.Labels[corev1.LabelInstanceTypeStable],
			CapacityType: nodeClaim.Labels[karpv1.CapacityTypeLabelKey],
			Zone:         nodeClaim.Labels[corev1.LabelTopologyZone],
			Reason:       reason,
		})
	}
	sort.Slice(verdict.Nodes, func(a, b int) bool {
		x, y := verdict.Nodes[a], verdict.Nodes[b]
		return fmt.Sprint(x.Pool, x.InstanceType, x.CapacityType, x.Zone) < fmt.Sprint(y.Pool, y.InstanceType, y.CapacityType, y.Zone)
	})
	return verdict, nil
}

// launchedNodes are the NodeClaims of a NodePool, one per instance type its requirements allow and
// available offering (capacity type, zone) of it, with the instances behind them in the provider's cache.
func launchedNodes(env *awsEnv, caseID string, np *karpv1.NodePool, nc *v1.EC2NodeClass, its []*cloudprovider.InstanceType) []*karpv1.NodeClaim {
	reqs := karpscheduling.NewNodeSelectorRequirementsWithMinValues(np.Spec.Template.Spec.Requirements...)
	reqs.Add(karpscheduling.NewLabelRequirements(np.Spec.Template.Labels).Values()...)
	var out []*karpv1.NodeClaim
	for _, it := range its {
		if it.Requirements.Intersects(reqs) != nil {
			continue
		}
		for _, offering := range it.Offerings.Available() {
			if !reqs.IsCompatible(offering.Requirements, karpscheduling.AllowUndefinedWellKnownLabels) {
				continue
			}
			zone, capacityType := offering.Zone(), offering.CapacityType()
			instanceID := fakeID("i-", caseID, np.Name, it.Name, capacityType, zone)
			imageID := lo.Keys(amifamily.MapToInstanceTypes([]*cloudprovider.InstanceType{it}, nc.Status.AMIs))
			subnet, _ := lo.Find(nc.Status.Subnets, func(s v1.Subnet) bool { return s.Zone == zone })
			env.instanceCache.SetDefault(instanceID, &instance.Instance{
				State:            ec2types.InstanceStateNameRunning,
				ID:               instanceID,
				ImageID:          lo.FirstOr(imageID, ""),
				Type:             ec2types.InstanceType(it.Name),
				Zone:             zone,
				ZoneID:           subnet.ZoneID,
				CapacityType:     capacityType,
				SecurityGroupIDs: lo.Map(nc.Status.SecurityGroups, func(sg v1.SecurityGroup, _ int) string { return sg.ID }),
				SubnetID:         subnet.ID,
				Tenancy:          string(ec2types.TenancyDefault),
			})
			labels := lo.Assign(np.Spec.Template.Labels)
			for key, req := range reqs {
				if req.Operator() == corev1.NodeSelectorOpIn && req.Len() == 1 {
					labels[key] = req.Any()
				}
			}
			for key, req := range it.Requirements {
				if req.Len() == 1 && !lo.Contains([]string{cloudprovider.ReservationIDLabel, v1.LabelCapacityReservationType, v1.LabelCapacityReservationInterruptible}, req.Key) {
					labels[key] = req.Values()[0]
				}
			}
			labels[corev1.LabelTopologyZone] = zone
			if subnet.ZoneID != "" {
				labels[v1.LabelTopologyZoneID] = subnet.ZoneID
			}
			labels[karpv1.CapacityTypeLabelKey] = capacityType
			labels[v1.LabelInstanceTenancy] = string(ec2types.TenancyDefault)
			labels[karpv1.NodePoolLabelKey] = np.Name
			labels[karpv1.NodeClassLabelKey(np.Spec.Template.Spec.NodeClassRef.GroupKind())] = nc.Name
			nodeClaim := &karpv1.NodeClaim{
				ObjectMeta: metav1.ObjectMeta{
					Name:              strings.ReplaceAll(fmt.Sprintf("%s-%s-%s-%s", np.Name, it.Name, capacityType, zone), ".", "-"),
					Labels:            labels,
					CreationTimestamp: metav1.NewTime(env.clock.Now().Add(-2 * time.Hour)),
					Annotations: map[string]string{
						karpv1.NodePoolHashAnnotationKey:        np.Annotations[karpv1.NodePoolHashAnnotationKey],
						karpv1.NodePoolHashVersionAnnotationKey: np.Annotations[karpv1.NodePoolHashVersionAnnotationKey],
						v1.AnnotationEC2NodeClassHash:           nc.Annotations[v1.AnnotationEC2NodeClassHash],
						v1.AnnotationEC2NodeClassHashVersion:    nc.Annotations[v1.AnnotationEC2NodeClassHashVersion],
					},
				},
				Spec: karpv1.NodeClaimSpec{NodeClassRef: np.Spec.Template.Spec.NodeClassRef.DeepCopy(), Requirements: np.Spec.Template.Spec.Requirements},
			}
			nodeClaim.Status.ProviderID = fmt.Sprintf("aws:///%s/%s", zone, instanceID)
			nodeClaim.Status.ImageID = lo.FirstOr(imageID, "")
			nodeClaim.StatusConditions(status.WithClock(env.clock)).SetTrue(karpv1.ConditionTypeLaunched)
			out = append(out, nodeClaim)
		}
	}
	return out
}
