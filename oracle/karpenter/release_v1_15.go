//go:build karpenter_v1_15

package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"sort"
	"strings"

	"github.com/patrickmn/go-cache"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/karpenter/pkg/cloudprovider"
	coreoptions "sigs.k8s.io/karpenter/pkg/operator/options"
	karpscheduling "sigs.k8s.io/karpenter/pkg/scheduling"

	v1 "github.com/aws/karpenter-provider-aws/pkg/apis/v1"
	awscache "github.com/aws/karpenter-provider-aws/pkg/cache"
	kubeletcel "github.com/aws/karpenter-provider-aws/pkg/cel"
	"github.com/aws/karpenter-provider-aws/pkg/fake"
	awsoptions "github.com/aws/karpenter-provider-aws/pkg/operator/options"
	"github.com/aws/karpenter-provider-aws/pkg/providers/amifamily"
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

// awsFeatureGates are the provider's own feature gates (new in 1.15.0: --aws-feature-gates) at their
// defaults, parsed as the controller parses its flags (karpenter-provider-aws v1.15.0
// pkg/operator/options/options.go; --cluster-name is its one required flag).
func awsFeatureGates() (map[string]bool, error) {
	o := &awsoptions.Options{}
	fs := &coreoptions.FlagSet{FlagSet: flag.NewFlagSet("karpenter", flag.ContinueOnError)}
	o.AddFlags(fs)
	if err := o.Parse(fs, "--cluster-name=oracle"); err != nil {
		return nil, fmt.Errorf("parsing the provider's flags at their defaults: %w", err)
	}
	return boolFields(o.FeatureGates), nil
}

// KubeletVerdict is what the nodeclass validation controller says of an EC2NodeClass's kubelet:
// the reason it sets on ValidationSucceeded=False and its message, or empty when it accepts it.
type KubeletVerdict struct {
	ID      string `json:"id"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// kubeletVerdicts judges the kubelet of each case (an EC2NodeClass spec: amiFamily, amiSelectorTerms,
// kubelet) as karpenter-provider-aws v1.15.0 pkg/controllers/nodeclass/validation.go Reconcile does,
// in its order: v1.ValidateKubeletConfig (InvalidKubeletConfiguration, messages joined by "; "),
// v1.ParseKubeletConfig (a decode failure is InvalidKubeletConfiguration too), a CEL expression with
// the NodeClassCEL gate at its default, off (KubeletExpressionsDisabled), then
// validateKubeletFieldsSupported (UnsupportedKubeletConfiguration), which is unexported and is
// rebuilt here from the exported functions it calls (v1.UnmanagedKubeletFields, the AMI family's
// FeatureFlags), with its messages.
func kubeletVerdicts(data []byte) (any, error) {
	var corpus struct {
		Cases []struct {
			ID   string          `json:"id"`
			Spec json.RawMessage `json:"spec"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(data, &corpus); err != nil {
		return nil, fmt.Errorf("reading the kubelet corpus: %w", err)
	}
	out := []KubeletVerdict{}
	for _, c := range corpus.Cases {
		nodeClass := &v1.EC2NodeClass{}
		if err := json.Unmarshal(c.Spec, &nodeClass.Spec); err != nil {
			return nil, fmt.Errorf("case %s: %w", c.ID, err)
		}
		reason, message := kubeletVerdict(nodeClass)
		out = append(out, KubeletVerdict{ID: c.ID, Reason: reason, Message: message})
	}
	return map[string]any{"versions": versions(), "cases": out}, nil
}

func kubeletVerdict(nodeClass *v1.EC2NodeClass) (string, string) {
	if errs := v1.ValidateKubeletConfig(nodeClass.Spec.Kubelet); len(errs) > 0 {
		messages := make([]string, 0, len(errs))
		for _, e := range errs {
			messages = append(messages, e.Error())
		}
		return "InvalidKubeletConfiguration", strings.Join(messages, "; ")
	}
	parsed, err := v1.ParseKubeletConfig(nodeClass.Spec.Kubelet)
	if err != nil {
		return "InvalidKubeletConfiguration", fmt.Sprintf("parsing spec.kubelet, %s", err)
	}
	if parsed.HasExpressions() {
		return "KubeletExpressionsDisabled", "spec.kubelet contains a CEL expression, but the NodeClassCEL feature gate is disabled"
	}
	if len(nodeClass.Spec.Kubelet) == 0 || nodeClass.AMIFamily() == v1.AMIFamilyCustom {
		return "", ""
	}
	flags := amifamily.GetAMIFamily(nodeClass.AMIFamily(), &amifamily.Options{}).FeatureFlags()
	if flags.SupportsArbitraryKubeletConfig {
		return "", ""
	}
	var messages []string
	unsupported := map[string]bool{}
	for _, f := range v1.UnmanagedKubeletFields(nodeClass.Spec.Kubelet) {
		unsupported[f] = true
	}
	if parsed.PodsPerCore != nil && !flags.PodsPerCoreEnabled {
		unsupported["podsPerCore"] = true
	}
	if len(unsupported) > 0 {
		names := make([]string, 0, len(unsupported))
		for f := range unsupported {
			names = append(names, f)
		}
		sort.Strings(names)
		messages = append(messages, fmt.Sprintf("spec.kubelet has fields not applied by the %s AMI family that would be silently dropped: %s", nodeClass.AMIFamily(), strings.Join(names, ", ")))
	}
	if len(parsed.ClusterDNS) > 1 {
		messages = append(messages, fmt.Sprintf("spec.kubelet.clusterDNS: the %s AMI family doesn't accept multiple entries, only one, but %d were set", nodeClass.AMIFamily(), len(parsed.ClusterDNS)))
	}
	if len(messages) == 0 {
		return "", ""
	}
	return "UnsupportedKubeletConfiguration", strings.Join(messages, "; ")
}
