package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/samber/lo"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/record"
	"sigs.k8s.io/controller-runtime/pkg/client"
	karpv1 "sigs.k8s.io/karpenter/pkg/apis/v1"
	"sigs.k8s.io/karpenter/pkg/cloudprovider"
	"sigs.k8s.io/karpenter/pkg/controllers/provisioning/scheduling"
	"sigs.k8s.io/karpenter/pkg/controllers/state"
	"sigs.k8s.io/karpenter/pkg/events"
	"sigs.k8s.io/karpenter/pkg/operator/injection"
	karpoptions "sigs.k8s.io/karpenter/pkg/operator/options"
	karpscheduling "sigs.k8s.io/karpenter/pkg/scheduling"
	coretest "sigs.k8s.io/karpenter/pkg/test"
	nodepoolutils "sigs.k8s.io/karpenter/pkg/utils/nodepool"

	awsoptions "github.com/aws/karpenter-provider-aws/pkg/operator/options"
	instancefilter "github.com/aws/karpenter-provider-aws/pkg/providers/instance/filter"
	awstest "github.com/aws/karpenter-provider-aws/pkg/test"
)

// ScheduleResult is what Karpenter does with one environment's pods at rest and at peak.
type ScheduleResult struct {
	Versions Versions   `json:"versions"`
	Region   string     `json:"region"`
	Zones    []string   `json:"zones"`
	Pools    []PoolInfo `json:"pools"`
	Idle     Scenario   `json:"idle"`
	Peak     Scenario   `json:"peak"`
}

// PoolInfo is a NodePool as the scheduler sees it: its place in the weight order and its instance types.
type PoolInfo struct {
	Name          string `json:"name"`
	Weight        int32  `json:"weight"`
	InstanceTypes int    `json:"instanceTypes"`
}

// Scenario is one Solve: every NodeClaim it creates and every pod it leaves unschedulable.
type Scenario struct {
	Pods          int               `json:"pods"`
	NodeClaims    []NodeClaimResult `json:"nodeClaims"`
	Unschedulable []PodError        `json:"unschedulable"`
	Misplaced     []Misplaced       `json:"misplaced"`
}

// NodeClaimResult is one NodeClaim and the instance it would launch.
type NodeClaimResult struct {
	Pool string `json:"pool"`
	// InstanceType is the cheapest of the options the launch keeps (EC2 Fleet's lowest-price for
	// on-demand; for spot, price-capacity-optimized is assumed to pick the cheapest too, spot being
	// priced at the static on-demand price).
	InstanceType string  `json:"instanceType"`
	CapacityType string  `json:"capacityType"`
	Price        float64 `json:"price"`
	// Zone is set when the NodeClaim's requirements narrowed it to one zone.
	Zone    string   `json:"zone,omitempty"`
	Options []string `json:"options"`
	Pods    []string `json:"pods"`
}

type PodError struct {
	Pod   string `json:"pod"`
	Error string `json:"error"`
}

// Misplaced is a pod Karpenter put on a pool its workload does not name (karpenter-as-code.io/pools).
type Misplaced struct {
	Pod      string   `json:"pod"`
	Pool     string   `json:"pool"`
	Intended []string `json:"intended"`
}

const poolsAnnotation = "karpenter-as-code.io/pools"

// contextWithOptions carries Karpenter's and the AWS provider's settings at their defaults, as
// their own test environments set them (pkg/test Options in both modules).
func contextWithOptions(ctx context.Context) context.Context {
	ctx = karpoptions.ToContext(injection.WithControllerName(ctx, "provisioner"), coretest.Options())
	return awsoptions.ToContext(ctx, awstest.Options())
}

func schedule(ctx context.Context, region string, zones []string, dir string) (*ScheduleResult, error) {
	ctx = contextWithOptions(ctx)
	m, err := readFolder(dir)
	if err != nil {
		return nil, err
	}
	if len(m.nodePools) == 0 {
		return nil, fmt.Errorf("%s holds no NodePool", dir)
	}
	infos, err := instanceTypeInfos()
	if err != nil {
		return nil, err
	}
	env, err := newAWSEnv(ctx, region, zones, newClient(), infos)
	if err != nil {
		return nil, err
	}
	return scheduleManifests(ctx, env, m)
}

// ScheduleCorpus is a set of environments to schedule: each case a full set of objects.
type ScheduleCorpus struct {
	Region string   `json:"region"`
	Zones  []string `json:"zones"`
	Cases  []struct {
		ID      string            `json:"id"`
		Objects []json.RawMessage `json:"objects"`
	} `json:"cases"`
}

type ScheduleCorpusResult struct {
	Versions Versions             `json:"versions"`
	Cases    []ScheduleCaseResult `json:"cases"`
}

type ScheduleCaseResult struct {
	ID   string   `json:"id"`
	Idle Scenario `json:"idle"`
	Peak Scenario `json:"peak"`
}

// scheduleCorpus schedules every case of a corpus, the instance types (those its pools name) shared.
func scheduleCorpus(ctx context.Context, data []byte) (*ScheduleCorpusResult, error) {
	ctx = contextWithOptions(ctx)
	var corpus ScheduleCorpus
	if err := json.Unmarshal(data, &corpus); err != nil {
		return nil, fmt.Errorf("reading the corpus: %w", err)
	}
	if corpus.Region == "" || len(corpus.Zones) == 0 {
		return nil, fmt.Errorf("the corpus needs a region and zones")
	}
	sets := make([]*manifests, len(corpus.Cases))
	var pools []*karpv1.NodePool
	for i, c := range corpus.Cases {
		sets[i] = &manifests{}
		for j, doc := range c.Objects {
			if err := sets[i].add(doc); err != nil {
				return nil, fmt.Errorf("case %s object %d: %w", c.ID, j, err)
			}
		}
		pools = append(pools, sets[i].nodePools...)
	}
	infos, err := namedInstanceTypes(pools)
	if err != nil {
		return nil, err
	}
	env, err := newAWSEnv(ctx, corpus.Region, corpus.Zones, newClient(), infos)
	if err != nil {
		return nil, err
	}
	result := &ScheduleCorpusResult{Versions: versions(), Cases: []ScheduleCaseResult{}}
	for i, c := range corpus.Cases {
		scheduled, err := scheduleManifests(ctx, env, sets[i])
		if err != nil {
			return nil, fmt.Errorf("case %s: %w", c.ID, err)
		}
		result.Cases = append(result.Cases, ScheduleCaseResult{ID: c.ID, Idle: scheduled.Idle, Peak: scheduled.Peak})
	}
	return result, nil
}

// scheduleManifests schedules one environment's pods at rest and at peak.
func scheduleManifests(ctx context.Context, env *awsEnv, m *manifests) (*ScheduleResult, error) {
	for _, nc := range m.nodeClasses {
		resolveStatus(nc, env.zones)
	}
	var objects []client.Object
	for _, nc := range m.nodeClasses {
		objects = append(objects, nc)
	}
	for _, np := range m.nodePools {
		objects = append(objects, np)
	}
	kubeClient := newClient(objects...)
	cloud := env.cloudFor(kubeClient)
	// As the provisioner orders and resolves them (provisioning/provisioner.go NewScheduler).
	nodePools := append([]*karpv1.NodePool{}, m.nodePools...)
	nodepoolutils.OrderByWeight(nodePools)
	instanceTypes := map[string][]*cloudprovider.InstanceType{}
	var pools []PoolInfo
	var usable []*karpv1.NodePool
	for _, np := range nodePools {
		its, err := cloud.GetInstanceTypes(ctx, np)
		if err != nil {
			return nil, fmt.Errorf("NodePool %s: %w", np.Name, err)
		}
		reqs := karpscheduling.NewNodeSelectorRequirementsWithMinValues(np.Spec.Template.Spec.Requirements...)
		allowed := lo.CountBy(its, func(it *cloudprovider.InstanceType) bool { return it.Requirements.Intersects(reqs) == nil })
		pools = append(pools, PoolInfo{Name: np.Name, Weight: lo.FromPtr(np.Spec.Weight), InstanceTypes: allowed})
		if len(its) == 0 {
			continue
		}
		instanceTypes[np.Name] = its
		usable = append(usable, np)
	}
	daemons, err := daemonSetPods(m)
	if err != nil {
		return nil, err
	}
	all, err := workloads(m)
	if err != nil {
		return nil, err
	}
	result := &ScheduleResult{Versions: versions(), Region: env.region, Zones: env.zones, Pools: pools}
	for _, at := range []struct {
		into  *Scenario
		count func(workload) int
	}{{&result.Idle, func(w workload) int { return w.idle }}, {&result.Peak, func(w workload) int { return w.peak }}} {
		var pods []*corev1.Pod
		for _, w := range all {
			pods = append(pods, w.pods(at.count(w))...)
		}
		scenario, err := solve(ctx, env, cloud, kubeClient, usable, instanceTypes, daemons, pods)
		if err != nil {
			return nil, err
		}
		*at.into = *scenario
	}
	return result, nil
}

// solve runs one scheduling simulation as the provisioner does (provisioning/provisioner.go
// Schedule: its options, Solve, TruncateInstanceTypes), driven like the scheduling benchmark
// (scheduling/scheduling_benchmark_test.go setupScheduler) on a fake client with no existing node.
func solve(ctx context.Context, env *awsEnv, cloud cloudprovider.CloudProvider, kubeClient client.Client, nodePools []*karpv1.NodePool, instanceTypes map[string][]*cloudprovider.InstanceType, daemons, pods []*corev1.Pod) (*Scenario, error) {
	opts := []scheduling.Options{
		scheduling.DisableReservedCapacityFallback,
		scheduling.NumConcurrentReconciles(int(math.Ceil(float64(karpoptions.FromContext(ctx).CPURequests) / 1000.0))),
		scheduling.MinValuesPolicy(karpoptions.FromContext(ctx).MinValuesPolicy),
	}
	cluster := state.NewCluster(env.clock, kubeClient, cloud)
	topology, err := scheduling.NewTopology(ctx, kubeClient, cluster, nil, nodePools, instanceTypes, pods, opts...)
	if err != nil {
		return nil, fmt.Errorf("topology: %w", err)
	}
	s := scheduling.NewScheduler(ctx, kubeClient, nodePools, cluster, nil, topology, instanceTypes, daemons, events.NewRecorder(&record.FakeRecorder{}), env.clock, nil, nil, opts...)
	results, err := s.Solve(ctx, pods)
	if err != nil {
		return nil, fmt.Errorf("solve: %w", err)
	}
	results = results.TruncateInstanceTypes(ctx, scheduling.MaxInstanceTypes)
	scenario := &Scenario{Pods: len(pods), NodeClaims: []NodeClaimResult{}, Unschedulable: []PodError{}, Misplaced: []Misplaced{}}
	for pod, podErr := range results.PodErrors {
		scenario.Unschedulable = append(scenario.Unschedulable, PodError{Pod: string(pod.UID), Error: podErr.Error()})
	}
	pools := lo.SliceToMap(nodePools, func(np *karpv1.NodePool) (string, *karpv1.NodePool) { return np.Name, np })
	for _, nc := range results.NewNodeClaims {
		// Fresh instance types: the launch filters narrow the offerings of those they are given.
		all, err := cloud.GetInstanceTypes(ctx, pools[nc.NodePoolName])
		if err != nil {
			return nil, err
		}
		launched, err := launch(ctx, nc, all)
		if err != nil {
			return nil, err
		}
		scenario.NodeClaims = append(scenario.NodeClaims, launched)
		for _, pod := range nc.Pods {
			if intended := pod.Annotations[poolsAnnotation]; intended != "" {
				names := lo.Map(strings.Split(intended, ","), func(s string, _ int) string { return strings.TrimSpace(s) })
				if !lo.Contains(names, nc.NodePoolName) {
					scenario.Misplaced = append(scenario.Misplaced, Misplaced{Pod: string(pod.UID), Pool: nc.NodePoolName, Intended: names})
				}
			}
		}
	}
	sort.Slice(scenario.Unschedulable, func(a, b int) bool { return scenario.Unschedulable[a].Pod < scenario.Unschedulable[b].Pod })
	sort.Slice(scenario.Misplaced, func(a, b int) bool { return scenario.Misplaced[a].Pod < scenario.Misplaced[b].Pod })
	sort.Slice(scenario.NodeClaims, func(a, b int) bool {
		x, y := scenario.NodeClaims[a], scenario.NodeClaims[b]
		if x.Pool != y.Pool {
			return x.Pool < y.Pool
		}
		return strings.Join(x.Pods, ",") < strings.Join(y.Pods, ",")
	})
	return scenario, nil
}

// launch is the instance the AWS provider would launch for a NodeClaim: the NodeClaim as the
// provisioner creates it (scheduling NodeClaimTemplate.ToNodeClaim), the launch filters in the
// order of pkg/providers/instance/instance.go filterInstanceTypes (compatible, available and big
// enough, which 1.15.0 calls launchable; capacity reservation type; capacity block; reserved
// offering; exotic; spot), the capacity type of its getCapacityType (reserved, then spot, when the
// requirements allow it and an option offers it), the 60 cheapest kept (maxInstanceTypes), and of
// those the cheapest launchable offering (release_v1_14.go and release_v1_15.go hold what differs).
func launch(ctx context.Context, nc *scheduling.NodeClaim, all []*cloudprovider.InstanceType) (NodeClaimResult, error) {
	nodeClaim := nc.ToNodeClaim()
	reqs := karpscheduling.NewNodeSelectorRequirementsWithMinValues(nodeClaim.Spec.Requirements...)
	options := append([]*cloudprovider.InstanceType{}, all...)
	for _, filter := range []instancefilter.Filter{
		compatibleFilter(reqs, nodeClaim.Spec.Resources.Requests),
		instancefilter.CapacityReservationTypeFilter(reqs),
		instancefilter.CapacityBlockFilter(reqs),
		instancefilter.ReservedOfferingFilter(reqs),
		instancefilter.ExoticInstanceTypeFilter(reqs),
		instancefilter.SpotOfferingFilter(reqs),
	} {
		remaining, _ := filter.FilterReject(options)
		if len(remaining) == 0 {
			return NodeClaimResult{}, fmt.Errorf("NodeClaim of %s: the launch filter %s left no instance type", nc.NodePoolName, filter.Name())
		}
		options = remaining
	}
	options, err := cloudprovider.InstanceTypes(options).Truncate(ctx, reqs, 60)
	if err != nil {
		return NodeClaimResult{}, fmt.Errorf("NodeClaim of %s: %w", nc.NodePoolName, err)
	}
	capacityType := karpv1.CapacityTypeOnDemand
	for _, ct := range []string{karpv1.CapacityTypeReserved, karpv1.CapacityTypeSpot} {
		if !reqs.Get(karpv1.CapacityTypeLabelKey).Has(ct) {
			continue
		}
		narrowed := karpscheduling.NewRequirements(reqs.Values()...)
		narrowed[karpv1.CapacityTypeLabelKey] = karpscheduling.NewRequirement(karpv1.CapacityTypeLabelKey, corev1.NodeSelectorOpIn, ct)
		if lo.ContainsBy(options, func(it *cloudprovider.InstanceType) bool {
			return len(launchableOfferings(it.Offerings, narrowed)) != 0
		}) {
			capacityType = ct
			break
		}
	}
	launchReqs := karpscheduling.NewRequirements(reqs.Values()...)
	launchReqs[karpv1.CapacityTypeLabelKey] = karpscheduling.NewRequirement(karpv1.CapacityTypeLabelKey, corev1.NodeSelectorOpIn, capacityType)
	best, bestPrice := "", math.Inf(1)
	for _, it := range options {
		for _, o := range launchableOfferings(it.Offerings, launchReqs) {
			if o.Price < bestPrice || (o.Price == bestPrice && it.Name < best) {
				best, bestPrice = it.Name, o.Price
			}
		}
	}
	if best == "" {
		return NodeClaimResult{}, fmt.Errorf("NodeClaim of %s: no %s offering among %d options", nc.NodePoolName, capacityType, len(options))
	}
	zone := ""
	if z := reqs.Get(corev1.LabelTopologyZone); z.Operator() == corev1.NodeSelectorOpIn && z.Len() == 1 {
		zone = z.Any()
	}
	names := lo.Map(nc.InstanceTypeOptions, func(it *cloudprovider.InstanceType, _ int) string { return it.Name })
	sort.Strings(names)
	pods := lo.Map(nc.Pods, func(p *corev1.Pod, _ int) string { return string(p.UID) })
	sort.Strings(pods)
	return NodeClaimResult{Pool: nc.NodePoolName, InstanceType: best, CapacityType: capacityType, Price: bestPrice, Zone: zone, Options: names, Pods: pods}, nil
}
