//go:build karpenter_v1_15

package main

import (
	"fmt"

	"github.com/patrickmn/go-cache"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/karpenter/pkg/cloudprovider"
	karpscheduling "sigs.k8s.io/karpenter/pkg/scheduling"

	awscache "github.com/aws/karpenter-provider-aws/pkg/cache"
	kubeletcel "github.com/aws/karpenter-provider-aws/pkg/cel"
	"github.com/aws/karpenter-provider-aws/pkg/fake"
	"github.com/aws/karpenter-provider-aws/pkg/providers/arczonalshift"
	"github.com/aws/karpenter-provider-aws/pkg/providers/capacityreservation"
	instancefilter "github.com/aws/karpenter-provider-aws/pkg/providers/instance/filter"
	"github.com/aws/karpenter-provider-aws/pkg/providers/instancetype"
	"github.com/aws/karpenter-provider-aws/pkg/providers/placementgroup"
	"github.com/aws/karpenter-provider-aws/pkg/providers/pricing"
	"github.com/aws/karpenter-provider-aws/pkg/providers/subnet"
)

// The API of Karpenter 1.15.x where it differs from 1.14.x, built with the karpenter_v1_15 tag
// (go.v1.15.0.mod; -modfile cannot select files, so the tag is what picks this file over
// release_v1_14.go).

// newInstanceTypeProvider is the provider's instance-type provider as its test environment wires it
// (karpenter-provider-aws v1.15.0 pkg/test/environment.go NewEnvironment): 1.15.0 gives the
// resolver and the provider the CEL environment that evaluates kubelet maxPods, kubeReserved and
// systemReserved written as expressions (pkg/cel NewEnvironment; used only with the NodeClassCEL gate).
func newInstanceTypeProvider(region string, newCache func() *cache.Cache, ec2api *fake.EC2API, subnets *subnet.DefaultProvider, prices *pricing.DefaultProvider, reservations *capacityreservation.DefaultProvider, placementGroups *placementgroup.DefaultProvider, unavailable *awscache.UnavailableOfferings, zonalShift *arczonalshift.DefaultProvider, kubeClient client.Client) (*instancetype.DefaultProvider, error) {
	celEnv, err := kubeletcel.NewEnvironment()
	if err != nil {
		return nil, fmt.Errorf("building the kubelet CEL environment: %w", err)
	}
	return instancetype.NewDefaultProvider(newCache(), newCache(), newCache(), ec2api, subnets, prices, reservations, placementGroups, unavailable, instancetype.NewDefaultResolver(region, celEnv), zonalShift, kubeClient, celEnv), nil
}

// compatibleFilter is the first launch filter (karpenter-provider-aws v1.15.0
// pkg/providers/instance/instance.go filterInstanceTypes: filter.CompatibleLaunchableFilter, which
// also leaves out full capacity reservations).
func compatibleFilter(reqs karpscheduling.Requirements, requests corev1.ResourceList) instancefilter.Filter {
	return instancefilter.CompatibleLaunchableFilter(reqs, requests)
}

// launchableOfferings are the offerings a launch may use (karpenter-provider-aws v1.15.0
// pkg/providers/instance/instance.go getCapacityType: Offerings.Compatible(reqs).Launchable()).
func launchableOfferings(offerings cloudprovider.Offerings, reqs karpscheduling.Requirements) cloudprovider.Offerings {
	return offerings.Compatible(reqs).Launchable()
}
