// Command prometheus runs Prometheus' own parsers on PromQL queries and rule groups, and prints
// their verdicts as JSON, so that the project's TypeScript emulation (packages/karpenter-validate/src/monitoring/promql.ts,
// packages/karpenter-validate/src/validation/monitoring.ts) can be held to them.
//
// The release is github.com/prometheus/prometheus v0.313.1, Prometheus v3.13.1: the
// DefaultPrometheusVersion of prometheus-operator v0.93.0 (pkg/operator/defaults.go), which is
// also the Prometheus module that operator release builds its rule validation with.
//
// Input on stdin: {"queries": ["<expr>", ...], "ruleSpecs": [<PrometheusRule .spec>, ...]}.
// Output: {"prometheus": "<version>", "queries": [{"error": "..."}], "ruleSpecs": [{"errors": [...]}]}
// in the input's order; an empty error means Prometheus accepts it.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	"go.yaml.in/yaml/v3"
)

// The Prometheus release of the module in go.mod, reported with the verdicts.
const prometheusVersion = "3.13.1"

type input struct {
	Queries   []string          `json:"queries"`
	RuleSpecs []json.RawMessage `json:"ruleSpecs"`
}

type queryVerdict struct {
	Error string `json:"error"`
}

type ruleVerdict struct {
	Errors []string `json:"errors"`
}

type output struct {
	Prometheus string         `json:"prometheus"`
	Queries    []queryVerdict `json:"queries"`
	RuleSpecs  []ruleVerdict  `json:"ruleSpecs"`
}

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "prometheus oracle: %v\n", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer) error {
	var req input
	if err := json.NewDecoder(in).Decode(&req); err != nil {
		return fmt.Errorf("reading the input: %w", err)
	}
	// Default options: no experimental functions, duration expressions, extended range selectors
	// or fill modifiers, as Prometheus and the operator run without their feature flags.
	p := parser.NewParser(parser.Options{})
	res := output{Prometheus: prometheusVersion, Queries: make([]queryVerdict, 0, len(req.Queries)), RuleSpecs: make([]ruleVerdict, 0, len(req.RuleSpecs))}
	for _, q := range req.Queries {
		v := queryVerdict{}
		if _, err := p.ParseExpr(q); err != nil {
			v.Error = err.Error()
		}
		res.Queries = append(res.Queries, v)
	}
	for i, raw := range req.RuleSpecs {
		errs, err := parseRuleSpec(raw, p)
		if err != nil {
			return fmt.Errorf("ruleSpecs[%d]: %w", i, err)
		}
		res.RuleSpecs = append(res.RuleSpecs, ruleVerdict{Errors: errs})
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", " ")
	return enc.Encode(res)
}

// parseRuleSpec loads a PrometheusRule's spec as Prometheus loads the rule file the operator
// renders from it: the spec marshalled to YAML (prometheus-operator v0.93.0 pkg/operator/rules.go
// ValidateRule, which its admission webhook runs) and read by rulefmt.Parse with unknown fields
// refused and UTF-8 name validation, Prometheus 3's default.
func parseRuleSpec(raw json.RawMessage, p parser.Parser) ([]string, error) {
	var spec any
	if err := json.Unmarshal(raw, &spec); err != nil {
		return nil, err
	}
	content, err := yaml.Marshal(spec)
	if err != nil {
		return nil, err
	}
	_, errs := rulefmt.Parse(content, false, model.UTF8Validation, p, slog.New(slog.DiscardHandler))
	messages := make([]string, 0, len(errs))
	for _, e := range errs {
		messages = append(messages, e.Error())
	}
	return messages, nil
}
