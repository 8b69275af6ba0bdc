// Command karpenter runs Karpenter's own code on the project's output and prints JSON verdicts that
// the tests hold the TypeScript models to (lib/plan/capacity.ts, lib/plan/drift.ts):
//
//	karpenter schedule --region <region> --zones <a,b,c> <dist/env folder>
//	    every pod of the folder, with its autoscalers at their minimum and at their maximum, through
//	    Karpenter's scheduler (sigs.k8s.io/karpenter pkg/controllers/provisioning/scheduling
//	    NewScheduler(...).Solve) with instance types as the AWS provider computes them
//	    (github.com/aws/karpenter-provider-aws pkg/providers/instancetype): the NodeClaims per pool,
//	    the instance type each would launch, the pods left unschedulable.
//	karpenter schedule-corpus <corpus.json | ->
//	    the same for every case of a corpus (each a full set of objects).
//	karpenter drift <corpus.json | ->
//	    for each change of a corpus (a previous and a current set of NodePools and EC2NodeClasses),
//	    every node of the previous render reconciled by Karpenter's nodeclaim disruption controller
//	    (pkg/controllers/nodeclaim/disruption, drift.go) with the AWS cloud provider's IsDrifted
//	    (pkg/cloudprovider/drift.go): the drift reason of each node, and the hashes.
//	karpenter launch --region <region> --zones <a,b,c> <dist/env folder>
//	    the cluster this release leaves: the folder's NodePools and EC2NodeClasses as stored and
//	    annotated by its hash controllers, and a launched NodeClaim (with its instance) for every
//	    node the pools allow (upgrade.go Launched).
//	karpenter kubelet <corpus.json | ->
//	    1.15.0 only: each case's EC2NodeClass kubelet judged as the provider's nodeclass validation
//	    controller judges it (release_v1_15.go kubeletVerdicts), now that the CRD no longer does.
//	karpenter release
//	    the release's hash versions and its feature gates at their defaults (release.go).
//	karpenter drift-existing <launched.json | ->
//	    what this release decides about a cluster another release launched: its hash controllers
//	    on the objects as the upgraded API server serves them, then its disruption controller on
//	    every NodeClaim: the nodes that drift because of the upgrade itself, and the NodeClaims
//	    re-stamped instead (upgrade.go UpgradeResult).
//
// The same source builds against Karpenter 1.14.1 (go.mod) and 1.15.0 (go.v1.15.0.mod, with the
// build tag karpenter_v1_15, which selects release_v1_15.go over release_v1_14.go where the two
// releases' APIs differ); the output names the module versions it was built with.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/karpenter/pkg/operator/logging"
)

func main() {
	// Karpenter logs through controller-runtime; the oracle's output is the JSON on stdout only.
	log.SetLogger(logging.NopLogger)
	if err := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "karpenter oracle: %s\n", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: karpenter schedule|launch --region <region> --zones <a,b,c> <folder> | karpenter schedule-corpus|drift|kubelet <corpus.json|-> | karpenter drift-existing <launched.json|-> | karpenter release")
	}
	var out any
	switch args[0] {
	case "schedule", "launch":
		flags := flag.NewFlagSet(args[0], flag.ContinueOnError)
		region := flags.String("region", "", "the environment's region")
		zones := flags.String("zones", "", "the environment's zones, comma-separated")
		if err := flags.Parse(args[1:]); err != nil {
			return err
		}
		if *region == "" || *zones == "" || flags.NArg() != 1 {
			return fmt.Errorf("usage: karpenter %s --region <region> --zones <a,b,c> <folder>", args[0])
		}
		var err error
		if args[0] == "schedule" {
			out, err = schedule(ctx, *region, strings.Split(*zones, ","), flags.Arg(0))
		} else {
			out, err = launchFolder(ctx, *region, strings.Split(*zones, ","), flags.Arg(0))
		}
		if err != nil {
			return err
		}
	case "release":
		var err error
		if out, err = releaseFacts(); err != nil {
			return err
		}
	case "drift", "schedule-corpus", "drift-existing", "kubelet":
		if len(args) != 2 {
			return fmt.Errorf("usage: karpenter %s <file.json|->", args[0])
		}
		var data []byte
		var err error
		if args[1] == "-" {
			data, err = io.ReadAll(stdin)
		} else {
			data, err = os.ReadFile(args[1])
		}
		if err != nil {
			return err
		}
		switch args[0] {
		case "drift":
			out, err = driftCorpus(ctx, data)
		case "drift-existing":
			out, err = driftExisting(ctx, data)
		case "kubelet":
			out, err = kubeletVerdicts(data)
		default:
			out, err = scheduleCorpus(ctx, data)
		}
		if err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown command %q: schedule, schedule-corpus, drift, launch, drift-existing, kubelet or release", args[0])
	}
	encoder := json.NewEncoder(stdout)
	encoder.SetIndent("", " ")
	return encoder.Encode(out)
}

// Versions are the Karpenter modules the binary was built with: the verdicts are theirs.
type Versions struct {
	Karpenter string `json:"karpenter"`
	Provider  string `json:"provider"`
}

func versions() Versions {
	v := Versions{}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			switch dep.Path {
			case "sigs.k8s.io/karpenter":
				v.Karpenter = dep.Version
			case "github.com/aws/karpenter-provider-aws":
				v.Provider = dep.Version
			}
		}
	}
	return v
}
