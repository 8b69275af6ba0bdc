//go:build !karpenter_v1_15

package main

import (
	"fmt"

	"github.com/patrickmn/go-cache"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/karpenter/pkg/cloudprovider"
	karpscheduling "sigs.k8s.io/karpenter/pkg/scheduling"

	awscache "github.com/aws/karpenter-provider-aws/pkg/cache"
	"github.com/aws/karpenter-provider-aws/pkg/fake"
	"github.com/aws/karpenter-provider-aws/pkg/providers/arczonalshift"
	"github.com/aws/karpenter-provider-aws/pkg/providers/capacityreservation"
	instancefilter "github.com/aws/karpenter-provider-aws/pkg/providers/instance/filter"
	"github.com/aws/karpenter-provider-aws/pkg/providers/instancetype"
	"github.com/aws/karpenter-provider-aws/pkg/providers/placementgroup"
	"github.com/aws/karpenter-provider-aws/pkg/providers/pricing"
	"github.com/aws/karpenter-provider-aws/pkg/providers/subnet"
)

// The API of Karpenter 1.14.x that 1.15.0 changed, built without the karpenter_v1_15 tag (go.mod).
// release_v1_15.go is the same three things at 1.15.0.

// newInstanceTypeProvider is the provider's instance-type provider as its test environment wires it
// (karpenter-provider-aws v1.14.1 pkg/test/environment.go NewEnvironment: NewDefaultResolver(region)).
func newInstanceTypeProvider(region string, newCache func() *cache.Cache, ec2api *fake.EC2API, subnets *subnet.DefaultProvider, prices *pricing.DefaultProvider, reservations *capacityreservation.DefaultProvider, placementGroups *placementgroup.DefaultProvider, unavailable *awscache.UnavailableOfferings, zonalShift *arczonalshift.DefaultProvider, kubeClient client.Client) (*instancetype.DefaultProvider, error) {
	return instancetype.NewDefaultProvider(newCache(), newCache(), newCache(), ec2api, subnets, prices, reservations, placementGroups, unavailable, instancetype.NewDefaultResolver(region), zonalShift, kubeClient), nil
}

// compatibleFilter is the first launch filter (karpenter-provider-aws v1.14.1
// pkg/providers/instance/instance.go filterInstanceTypes: filter.CompatibleAvailableFilter).
func compatibleFilter(reqs karpscheduling.Requirements, requests corev1.ResourceList) instancefilter.Filter {
	return instancefilter.CompatibleAvailableFilter(reqs, requests)
}

// awsFeatureGates are the provider's own feature gates at their defaults: 1.14.1 has none
// (karpenter-provider-aws v1.14.1 pkg/operator/options/options.go declares no --aws-feature-gates).
func awsFeatureGates() (map[string]bool, error) {
	return map[string]bool{}, nil
}

// kubeletVerdicts: the EC2NodeClass CRD of 1.14.1 types the kubelet and its API server checks it
// (CEL rules), so the controller has no kubelet validation to run.
func kubeletVerdicts(_ []byte) (any, error) {
	return nil, fmt.Errorf("karpenter 1.14.1 has no kubelet validation of its own: its EC2NodeClass CRD types the kubelet and the API server checks it (use the 1.15.0 build)")
}

// launchableOfferings are the offerings a launch may use (karpenter-provider-aws v1.14.1
// pkg/providers/instance/instance.go getCapacityType: Offerings.Available().Compatible(reqs)).
func launchableOfferings(offerings cloudprovider.Offerings, reqs karpscheduling.Requirements) cloudprovider.Offerings {
	return offerings.Available().Compatible(reqs)
}
