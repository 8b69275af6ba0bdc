// Command karpenter-budget runs Karpenter's own disruption budget code on schedules and prints
// JSON verdicts the tests hold lib/config/pools.ts (its budget schedule check, through
// packages/karpenter-validate/src/validation/robfig-cron.ts) to:
//
//	karpenter-budget < schedules.json
//
// stdin is a JSON array of schedule strings; for each, a Budget with that schedule and a
// duration of one hour is asked whether it is active (sigs.k8s.io/karpenter v1.14.1
// pkg/apis/v1/nodepool.go Budget.IsActive, which parses the schedule with
// cron.ParseStandard("TZ=UTC " + schedule)). The verdict is whether it parsed, and the error.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime/debug"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clock "k8s.io/utils/clock/testing"
	v1 "sigs.k8s.io/karpenter/pkg/apis/v1"
)

type verdict struct {
	Schedule string `json:"schedule"`
	Parses   bool   `json:"parses"`
	Error    string `json:"error,omitempty"`
}

type output struct {
	Karpenter string    `json:"karpenter"`
	Verdicts  []verdict `json:"verdicts"`
}

func main() {
	var schedules []string
	if err := json.NewDecoder(os.Stdin).Decode(&schedules); err != nil {
		fmt.Fprintf(os.Stderr, "karpenter-budget: reading the schedules: %s\n", err)
		os.Exit(2)
	}
	// Any instant will do: only whether the schedule parses is reported.
	now := clock.NewFakeClock(time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC))
	out := output{Karpenter: moduleVersion("sigs.k8s.io/karpenter"), Verdicts: make([]verdict, 0, len(schedules))}
	for _, schedule := range schedules {
		s := schedule
		budget := v1.Budget{Nodes: "1", Schedule: &s, Duration: &metav1.Duration{Duration: time.Hour}}
		_, err := isActive(&budget, now)
		v := verdict{Schedule: schedule, Parses: err == nil}
		if err != nil {
			v.Error = err.Error()
		}
		out.Verdicts = append(out.Verdicts, v)
	}
	encoder := json.NewEncoder(os.Stdout)
	encoder.SetIndent("", "  ")
	if err := encoder.Encode(out); err != nil {
		fmt.Fprintf(os.Stderr, "karpenter-budget: %s\n", err)
		os.Exit(2)
	}
}

// isActive calls Karpenter's Budget.IsActive; robfig/cron panics on some malformed specs (a TZ=
// prefix with no space after it), which is reported as a failure to parse, as Karpenter's
// controller would crash on it.
func isActive(budget *v1.Budget, now *clock.FakeClock) (active bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return budget.IsActive(now)
}

func moduleVersion(path string) string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == path {
				return dep.Version
			}
		}
	}
	return "unknown"
}
