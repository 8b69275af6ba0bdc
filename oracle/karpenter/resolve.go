package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	v1 "github.com/aws/karpenter-provider-aws/pkg/apis/v1"
)

// What an EC2NodeClass's selector terms resolve to needs an AWS account; the oracle resolves them
// without one, deterministically from the terms, and lib/plan/drift.ts assumes exactly the same
// (its resolution keys are these IDs' inputs):
//
//   - subnets: an `id` term is that subnet, in the environment's zone at the term's position among the
//     id terms (modulo the zone count); any other term is one subnet per zone, its ID a hash of the
//     term and the zone.
//   - security groups: an `id` term is that group; any other term (tags, name) one group, its ID a
//     hash of the term.
//   - AMIs: an `id` term is that image, for any architecture; an alias `family@version` or any other
//     term one image per architecture (amd64, arm64), its ID a hash of the term (the alias) and the
//     architecture. The status lists them in term order, amd64 first, and an instance type uses the
//     first one whose requirements it meets (amifamily.MapToInstanceTypes).
//
// Two different terms never resolve to the same resource, and the same term always resolves to the
// same one: a change to the terms drifts a node exactly when its resource is no longer among them.

func fakeID(prefix string, parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return prefix + hex.EncodeToString(sum[:])[:17]
}

func canonical(term any) string {
	data, err := json.Marshal(term)
	if err != nil {
		panic(fmt.Sprintf("marshalling a selector term: %s", err))
	}
	return string(data)
}

// zoneID is a stand-in for the zone's ID (topology.k8s.aws/zone-id); nothing in the verdicts depends on it.
func zoneID(zone string) string { return "zid-" + zone }

func resolveSubnets(terms []v1.SubnetSelectorTerm, zones []string) []v1.Subnet {
	var subnets []v1.Subnet
	seen := map[string]bool{}
	add := func(s v1.Subnet) {
		if !seen[s.ID] {
			seen[s.ID] = true
			subnets = append(subnets, s)
		}
	}
	ids := 0
	for _, term := range terms {
		if term.ID != "" {
			zone := zones[ids%len(zones)]
			ids++
			add(v1.Subnet{ID: term.ID, Zone: zone, ZoneID: zoneID(zone)})
			continue
		}
		for _, zone := range zones {
			add(v1.Subnet{ID: fakeID("subnet-", canonical(term), zone), Zone: zone, ZoneID: zoneID(zone)})
		}
	}
	return subnets
}

func resolveSecurityGroups(terms []v1.SecurityGroupSelectorTerm) []v1.SecurityGroup {
	var groups []v1.SecurityGroup
	seen := map[string]bool{}
	for _, term := range terms {
		id := term.ID
		if id == "" {
			id = fakeID("sg-", canonical(term))
		}
		if !seen[id] {
			seen[id] = true
			groups = append(groups, v1.SecurityGroup{ID: id})
		}
	}
	return groups
}

var architectures = []string{"amd64", "arm64"}

func resolveAMIs(terms []v1.AMISelectorTerm) []v1.AMI {
	var amis []v1.AMI
	seen := map[string]bool{}
	for _, term := range terms {
		if term.ID != "" {
			if !seen[term.ID] {
				seen[term.ID] = true
				amis = append(amis, v1.AMI{ID: term.ID, Requirements: []corev1.NodeSelectorRequirement{}})
			}
			continue
		}
		key := canonical(term)
		if term.Alias != "" {
			key = "alias:" + term.Alias
		}
		for _, arch := range architectures {
			id := fakeID("ami-", key, arch)
			if seen[id] {
				continue
			}
			seen[id] = true
			amis = append(amis, v1.AMI{ID: id, Requirements: []corev1.NodeSelectorRequirement{{Key: corev1.LabelArchStable, Operator: corev1.NodeSelectorOpIn, Values: []string{arch}}}})
		}
	}
	return amis
}

// resolveStatus fills an EC2NodeClass's status as its controllers would after resolving its terms
// (pkg/controllers/nodeclass: subnet.go, securitygroup.go, ami.go), with the resolution above.
func resolveStatus(nodeClass *v1.EC2NodeClass, zones []string) {
	nodeClass.Status.Subnets = resolveSubnets(nodeClass.Spec.SubnetSelectorTerms, zones)
	nodeClass.Status.SecurityGroups = resolveSecurityGroups(nodeClass.Spec.SecurityGroupSelectorTerms)
	nodeClass.Status.AMIs = resolveAMIs(nodeClass.Spec.AMISelectorTerms)
}
