// Command keda runs KEDA v2.20.2's own admission webhook and scaler builders on Kubernetes
// objects and prints their verdicts as JSON, so that the project's emulation
// (packages/karpenter-validate/src/validation/keda.ts: the keda-admission and keda-trigger rules) can be held to them.
//
// Input on stdin: {"cases": [{"name": "...", "objects": [<object>, ...]}]}. Each case is a
// cluster applied in order: every ScaledObject goes through KEDA's validating webhook (with the
// case's other objects, and the ScaledObjects before it, in the webhook's client), every
// TriggerAuthentication through its own; every trigger of every ScaledObject is built by KEDA's
// scale handler, its authentication resolved from the case's TriggerAuthentications and Secrets.
//
// Output: {"keda": "2.20.2", "cases": [{"name", "objects": [{"kind", "name", "webhook", "triggers"}]}]}.
//
// KEDA reports parameters a scaler did not read only when KEDA_CHECK_UNEXPECTED_SCALERS_PARAMS is
// "enabled" when its packages load; the command runs itself again with it set.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"syscall"
)

// KEDA's release, that of go.mod.
const kedaVersion = "2.20.2"

const unexpectedParamsFlag = "KEDA_CHECK_UNEXPECTED_SCALERS_PARAMS"

type input struct {
	Cases []struct {
		Name    string            `json:"name"`
		Objects []json.RawMessage `json:"objects"`
	} `json:"cases"`
}

type output struct {
	Keda  string        `json:"keda"`
	Cases []caseVerdict `json:"cases"`
}

type caseVerdict struct {
	Name    string          `json:"name"`
	Objects []objectVerdict `json:"objects"`
}

type objectVerdict struct {
	Kind     string           `json:"kind"`
	Name     string           `json:"name"`
	Webhook  *webhookVerdict  `json:"webhook,omitempty"`
	Triggers []triggerVerdict `json:"triggers,omitempty"`
}

func main() {
	if os.Getenv(unexpectedParamsFlag) != "enabled" {
		self, err := os.Executable()
		if err == nil {
			err = syscall.Exec(self, os.Args, append(os.Environ(), unexpectedParamsFlag+"=enabled"))
		}
		fmt.Fprintf(os.Stderr, "keda oracle: running again with %s=enabled: %v\n", unexpectedParamsFlag, err)
		os.Exit(1)
	}
	silenceLogs()
	// KEDA prints deprecation announcements to standard output (scalersconfig/typed_config.go
	// setValue): only the verdicts go there.
	out := os.Stdout
	os.Stdout = os.Stderr
	if err := run(os.Stdin, out); err != nil {
		fmt.Fprintf(os.Stderr, "keda oracle: %v\n", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer) error {
	var req input
	if err := json.NewDecoder(in).Decode(&req); err != nil {
		return fmt.Errorf("reading the input: %w", err)
	}
	res := output{Keda: kedaVersion, Cases: []caseVerdict{}}
	for _, c := range req.Cases {
		verdicts, err := judgeCase(c.Objects)
		if err != nil {
			return fmt.Errorf("case %q: %w", c.Name, err)
		}
		res.Cases = append(res.Cases, caseVerdict{Name: c.Name, Objects: verdicts})
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", " ")
	return enc.Encode(res)
}

// judgeCase applies a case's objects in order and judges each KEDA object.
func judgeCase(raw []json.RawMessage) ([]objectVerdict, error) {
	objects, err := decodeAll(raw)
	if err != nil {
		return nil, err
	}
	verdicts := []objectVerdict{}
	for i, o := range objects {
		switch o.kind {
		case "ScaledObject":
			// The webhook sees what was applied before the object, and every object that is not
			// a ScaledObject (the workloads, HPAs and LimitRanges around it).
			cluster := []decoded{}
			for j, other := range objects {
				if j != i && (other.kind != "ScaledObject" || j < i) {
					cluster = append(cluster, other)
				}
			}
			hook, err := admitScaledObject(o, cluster)
			if err != nil {
				return nil, err
			}
			triggers, err := buildTriggers(o, objects)
			if err != nil {
				return nil, err
			}
			verdicts = append(verdicts, objectVerdict{Kind: o.kind, Name: o.name, Webhook: hook, Triggers: triggers})
		case "TriggerAuthentication":
			hook, err := admitTriggerAuthentication(o)
			if err != nil {
				return nil, err
			}
			verdicts = append(verdicts, objectVerdict{Kind: o.kind, Name: o.name, Webhook: hook})
		}
	}
	return verdicts, nil
}
