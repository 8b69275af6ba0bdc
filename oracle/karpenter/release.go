package main

import (
	"flag"
	"fmt"
	"reflect"
	"sort"

	karpv1 "sigs.k8s.io/karpenter/pkg/apis/v1"
	coreoptions "sigs.k8s.io/karpenter/pkg/operator/options"

	v1 "github.com/aws/karpenter-provider-aws/pkg/apis/v1"
)

// ReleaseFacts are what a Karpenter release stamps and defaults, as its own code says: the hash
// versions it writes on NodePools, EC2NodeClasses and their NodeClaims (a NodeClaim whose version
// differs is re-stamped, not compared), and the feature gates it runs with when none are set
// (--feature-gates and, from 1.15.0, --aws-feature-gates at their defaults, parsed as the
// controller parses its flags). lib/plan/karpenter-releases.ts is held to it.
type ReleaseFacts struct {
	Versions     Versions                   `json:"versions"`
	HashVersions map[string]string          `json:"hashVersions"`
	FeatureGates map[string]map[string]bool `json:"featureGates"`
}

func releaseFacts() (*ReleaseFacts, error) {
	core := &coreoptions.Options{}
	fs := &coreoptions.FlagSet{FlagSet: flag.NewFlagSet("karpenter", flag.ContinueOnError)}
	core.AddFlags(fs)
	if err := core.Parse(fs); err != nil {
		return nil, fmt.Errorf("parsing the core's flags at their defaults: %w", err)
	}
	aws, err := awsFeatureGates()
	if err != nil {
		return nil, err
	}
	return &ReleaseFacts{
		Versions:     versions(),
		HashVersions: map[string]string{"nodePool": karpv1.NodePoolHashVersion, "ec2NodeClass": v1.EC2NodeClassHashVersion},
		FeatureGates: map[string]map[string]bool{"core": boolFields(core.FeatureGates), "aws": aws},
	}, nil
}

// boolFields are a gate struct's exported boolean fields, by name.
func boolFields(gates any) map[string]bool {
	out := map[string]bool{}
	v := reflect.ValueOf(gates)
	t := v.Type()
	names := []string{}
	for i := 0; i < t.NumField(); i++ {
		if t.Field(i).IsExported() && t.Field(i).Type.Kind() == reflect.Bool {
			names = append(names, t.Field(i).Name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		out[name] = v.FieldByName(name).Bool()
	}
	return out
}
