// Command netpol runs the upstream network-policy conformance tooling's policy engine
// (github.com/mattfenwick/cyclonus v0.5.6 pkg/matcher, the engine of sigs.k8s.io/network-policy-api's
// policy assistant) on NetworkPolicies the way the API server stores them (defaulted by
// k8s.io/kubernetes v1.35.4 pkg/apis/networking/v1), and prints its verdicts as JSON, so that the
// project's engine (packages/karpenter-validate/src/network/engine.ts) can be held to them.
//
// Input on stdin: {"cases": [{"name", "pods": [{"namespace", "name", "labels", "ip", "ports":
// [{"name", "port", "protocol"}]}], "namespaces": {"<name>": {<labels>}}, "externals": ["<ip>"],
// "policies": [<NetworkPolicy>], "ports": [{"port", "protocol"}]}]}.
//
// For each case, every connection from a pod or external address to a pod or external address
// (not external to external) on each port: whether cyclonus allows its ingress and its egress.
// Output: {"cyclonus": "v0.5.6", "cases": [{"name", "policyTypes": [[...], ...], "verdicts": "...",
// "selectors": "..."}]}: in verdicts, one digit per connection, in the order sources x
// destinations x ports (sources and destinations: the pods, then the externals), bit 0 the
// ingress, bit 1 the egress. cyclonus matches label selectors with its own code
// (pkg/kube/labelselector.go), which reads NotIn on a missing key as no match where Kubernetes
// reads it as a match; so that the project's selectors are held to Kubernetes' own reading,
// selectors has one digit (1: matches) per label selector of the case's policies (each policy's
// podSelector, then each peer's namespaceSelector and podSelector, in order) against every pod's
// labels and then every namespace's labels (sorted by name), as k8s.io/apimachinery v0.35.4
// metav1.LabelSelectorAsSelector matches them.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mattfenwick/cyclonus/pkg/matcher"
	v1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	netdefaults "k8s.io/kubernetes/pkg/apis/networking/v1"
	"sort"
)

// The cyclonus release of go.mod.
const cyclonusVersion = "v0.5.6"

type port struct {
	Name     string      `json:"name,omitempty"`
	Port     int         `json:"port"`
	Protocol v1.Protocol `json:"protocol"`
}

type pod struct {
	Namespace string            `json:"namespace"`
	Name      string            `json:"name"`
	Labels    map[string]string `json:"labels"`
	IP        string            `json:"ip"`
	Ports     []port            `json:"ports"`
}

type netpolCase struct {
	Name       string                       `json:"name"`
	Pods       []pod                        `json:"pods"`
	Namespaces map[string]map[string]string `json:"namespaces"`
	Externals  []string                     `json:"externals"`
	Policies   []json.RawMessage            `json:"policies"`
	Ports      []port                       `json:"ports"`
}

type input struct {
	Cases []netpolCase `json:"cases"`
}

type caseVerdict struct {
	Name        string                      `json:"name"`
	PolicyTypes [][]networkingv1.PolicyType `json:"policyTypes"`
	Verdicts    string                      `json:"verdicts"`
	Selectors   string                      `json:"selectors"`
}

type output struct {
	Cyclonus string        `json:"cyclonus"`
	Cases    []caseVerdict `json:"cases"`
}

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "netpol oracle: %v\n", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer) error {
	var req input
	if err := json.NewDecoder(in).Decode(&req); err != nil {
		return fmt.Errorf("reading the input: %w", err)
	}
	res := output{Cyclonus: cyclonusVersion, Cases: []caseVerdict{}}
	for _, c := range req.Cases {
		verdict, err := judge(c)
		if err != nil {
			return fmt.Errorf("case %q: %w", c.Name, err)
		}
		res.Cases = append(res.Cases, verdict)
	}
	return json.NewEncoder(out).Encode(res)
}

// peer is one end of a connection: a pod of the case, or an external address.
type peer struct {
	traffic *matcher.TrafficPeer
	pod     *pod
}

func judge(c netpolCase) (verdict caseVerdict, err error) {
	// cyclonus panics on what the API server would refuse: report it as the case's error.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("cyclonus refused the case: %v", r)
		}
	}()
	policies := make([]*networkingv1.NetworkPolicy, 0, len(c.Policies))
	types := [][]networkingv1.PolicyType{}
	for i, raw := range c.Policies {
		np := &networkingv1.NetworkPolicy{}
		if err := json.Unmarshal(raw, np); err != nil {
			return verdict, fmt.Errorf("policy %d: %w", i, err)
		}
		// As the API server stores it: policyTypes and port protocols defaulted.
		netdefaults.SetObjectDefaults_NetworkPolicy(np)
		policies = append(policies, np)
		types = append(types, np.Spec.PolicyTypes)
	}
	engine := matcher.BuildNetworkPolicies(false, policies)
	peers := []peer{}
	for i := range c.Pods {
		p := &c.Pods[i]
		peers = append(peers, peer{pod: p, traffic: &matcher.TrafficPeer{
			Internal: &matcher.InternalPeer{PodLabels: p.Labels, NamespaceLabels: c.Namespaces[p.Namespace], Namespace: p.Namespace},
			IP:       p.IP,
		}})
	}
	for _, ip := range c.Externals {
		peers = append(peers, peer{traffic: &matcher.TrafficPeer{IP: ip}})
	}
	var digits strings.Builder
	for _, from := range peers {
		for _, to := range peers {
			if from.pod == nil && to.pod == nil {
				continue
			}
			for _, p := range c.Ports {
				traffic := &matcher.Traffic{Source: from.traffic, Destination: to.traffic, ResolvedPort: p.Port, ResolvedPortName: portName(to.pod, p), Protocol: p.Protocol}
				result := engine.IsTrafficAllowed(traffic)
				bits := 0
				if result.Ingress.IsAllowed() {
					bits |= 1
				}
				if result.Egress.IsAllowed() {
					bits |= 2
				}
				digits.WriteByte(byte('0' + bits))
			}
		}
	}
	selectors, err := selectorVerdicts(c, policies)
	if err != nil {
		return verdict, err
	}
	return caseVerdict{Name: c.Name, PolicyTypes: types, Verdicts: digits.String(), Selectors: selectors}, nil
}

// selectorVerdicts matches every label selector of the policies against every label set of the
// case, as Kubernetes does.
func selectorVerdicts(c netpolCase, policies []*networkingv1.NetworkPolicy) (string, error) {
	var selectors []*metav1.LabelSelector
	for _, np := range policies {
		selectors = append(selectors, &np.Spec.PodSelector)
		peers := []networkingv1.NetworkPolicyPeer{}
		for _, rule := range np.Spec.Ingress {
			peers = append(peers, rule.From...)
		}
		for _, rule := range np.Spec.Egress {
			peers = append(peers, rule.To...)
		}
		for _, p := range peers {
			if p.NamespaceSelector != nil {
				selectors = append(selectors, p.NamespaceSelector)
			}
			if p.PodSelector != nil {
				selectors = append(selectors, p.PodSelector)
			}
		}
	}
	sets := []map[string]string{}
	for _, p := range c.Pods {
		sets = append(sets, p.Labels)
	}
	names := make([]string, 0, len(c.Namespaces))
	for name := range c.Namespaces {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		sets = append(sets, c.Namespaces[name])
	}
	var digits strings.Builder
	for _, selector := range selectors {
		s, err := metav1.LabelSelectorAsSelector(selector)
		if err != nil {
			return "", fmt.Errorf("selector %v: %w", selector, err)
		}
		for _, set := range sets {
			if s.Matches(labels.Set(set)) {
				digits.WriteByte('1')
			} else {
				digits.WriteByte('0')
			}
		}
	}
	return digits.String(), nil
}

// portName is the name the destination pod gives a port and protocol: what a named port of a
// rule matches (cyclonus's probes resolve it the same way, from the pod's container ports).
func portName(to *pod, p port) string {
	if to == nil {
		return ""
	}
	for _, cp := range to.Ports {
		if cp.Port == p.Port && cp.Protocol == p.Protocol {
			return cp.Name
		}
	}
	return ""
}
