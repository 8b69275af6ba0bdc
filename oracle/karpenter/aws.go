package main

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/patrickmn/go-cache"
	"k8s.io/client-go/tools/record"
	clocktesting "k8s.io/utils/clock/testing"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/karpenter/pkg/controllers/nodeoverlay"
	"sigs.k8s.io/karpenter/pkg/events"

	awscache "github.com/aws/karpenter-provider-aws/pkg/cache"
	awscloudprovider "github.com/aws/karpenter-provider-aws/pkg/cloudprovider"
	"github.com/aws/karpenter-provider-aws/pkg/fake"
	"github.com/aws/karpenter-provider-aws/pkg/providers/arczonalshift"
	"github.com/aws/karpenter-provider-aws/pkg/providers/capacityreservation"
	"github.com/aws/karpenter-provider-aws/pkg/providers/instance"
	"github.com/aws/karpenter-provider-aws/pkg/providers/instancetype"
	"github.com/aws/karpenter-provider-aws/pkg/providers/placementgroup"
	"github.com/aws/karpenter-provider-aws/pkg/providers/pricing"
	"github.com/aws/karpenter-provider-aws/pkg/providers/subnet"
)

// awsEnv is the AWS side of Karpenter wired as the provider's own test environment wires it
// (karpenter-provider-aws pkg/test/environment.go NewEnvironment), its EC2 API a fake that answers
// DescribeInstanceTypes with the generated instance types and DescribeInstanceTypeOfferings with
// every type in every zone of the environment. Prices are the pricing provider's static list
// (pkg/providers/pricing: a region it has no list for uses us-east-1's; spot is priced at the
// on-demand price until a live spot price update, which never comes here).
type awsEnv struct {
	region               string
	zones                []string
	clock                *clocktesting.FakeClock
	ec2                  *fake.EC2API
	recorder             events.Recorder
	instanceTypes        *instancetype.DefaultProvider
	instances            *instance.DefaultProvider
	instanceCache        *cache.Cache
	capacityReservations *capacityreservation.DefaultProvider
	placementGroups      *placementgroup.DefaultProvider
	cloud                *awscloudprovider.CloudProvider
}

func newAWSEnv(ctx context.Context, region string, zones []string, kubeClient client.Client, infos []ec2types.InstanceTypeInfo) (*awsEnv, error) {
	clock := clocktesting.NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	ec2api := fake.NewEC2API()
	ec2api.DescribeInstanceTypesOutput.Set(&ec2.DescribeInstanceTypesOutput{InstanceTypes: infos})
	var offerings []ec2types.InstanceTypeOffering
	for _, info := range infos {
		for _, zone := range zones {
			offerings = append(offerings, ec2types.InstanceTypeOffering{InstanceType: info.InstanceType, Location: aws.String(zone), LocationType: ec2types.LocationTypeAvailabilityZone})
		}
	}
	ec2api.DescribeInstanceTypeOfferingsOutput.Set(&ec2.DescribeInstanceTypeOfferingsOutput{InstanceTypeOfferings: offerings})

	newCache := func() *cache.Cache { return cache.New(awscache.DefaultTTL, awscache.DefaultCleanupInterval) }
	unavailable := awscache.NewUnavailableOfferings()
	pricingProvider := pricing.NewDefaultProvider(&fake.PricingAPI{}, ec2api, region, false)
	subnetProvider := subnet.NewDefaultProvider(ec2api, newCache(), newCache())
	capacityReservations := capacityreservation.NewProvider(ec2api, clock, newCache(), newCache())
	placementGroups := placementgroup.NewProvider(ec2api, newCache(), newCache())
	zonalShift := arczonalshift.NewProvider(fake.NewARCZonalShiftAPI(), clock, "")
	instanceTypes, err := newInstanceTypeProvider(region, newCache, ec2api, subnetProvider, pricingProvider, capacityReservations, placementGroups, unavailable, zonalShift, kubeClient)
	if err != nil {
		return nil, err
	}
	if err := instanceTypes.UpdateInstanceTypes(ctx); err != nil {
		return nil, fmt.Errorf("loading instance types: %w", err)
	}
	if err := instanceTypes.UpdateInstanceTypeOfferings(ctx); err != nil {
		return nil, fmt.Errorf("loading instance type offerings: %w", err)
	}
	recorder := events.NewRecorder(&record.FakeRecorder{})
	// Instances are only read (drift), from the provider's instance cache, which the drift corpus fills.
	instanceCache := cache.New(cache.NoExpiration, cache.NoExpiration)
	instances := instance.NewDefaultProvider(ctx, region, recorder, ec2api, unavailable, subnetProvider, nil, capacityReservations, placementGroups, zonalShift, instanceCache)
	env := &awsEnv{region: region, zones: zones, clock: clock, ec2: ec2api, recorder: recorder, instanceTypes: instanceTypes, instances: instances, instanceCache: instanceCache, capacityReservations: capacityReservations, placementGroups: placementGroups}
	env.cloud = env.cloudFor(kubeClient)
	return env, nil
}

// cloudFor is the AWS cloud provider reading NodePools, EC2NodeClasses and NodeClaims from kubeClient
// (karpenter-provider-aws pkg/cloudprovider New), sharing the instance types and their caches.
func (e *awsEnv) cloudFor(kubeClient client.Client) *awscloudprovider.CloudProvider {
	return awscloudprovider.New(e.instanceTypes, e.instances, e.recorder, kubeClient, nil, nil, e.capacityReservations, e.placementGroups, nodeoverlay.NewInstanceTypeStore(), nil)
}
