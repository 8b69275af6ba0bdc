// Argo CD's own code, run on what karpenter-as-code emits: the project permission checks of
// argo-cd v3.1.16 (pkg/apis/application/v1alpha1 AppProject, util/argo ValidatePermissions), the
// sync of gitops-engine at the release argo-cd v3.1.16 requires (pkg/sync: task order, waves,
// health gating), and health as Argo CD assesses it (gitops-engine pkg/health with argo-cd's
// util/lua resource customizations, built in and from argocd-cm).
//
// Each command reads one JSON document on standard input and prints its verdicts as JSON:
//
//	argocd-oracle permissions   Applications against their AppProjects, clusters resolved from a fake cluster list
//	argocd-oracle sync          sync operations driven wave by wave against a fake API server
//	argocd-oracle health        the health of live objects
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	log "github.com/sirupsen/logrus"
	"k8s.io/klog/v2"
)

func main() {
	if len(os.Args) != 2 {
		fail("usage: argocd-oracle permissions|sync|health < input.json")
	}
	// Argo CD and client-go log to standard error; only the verdicts go to standard output.
	log.SetLevel(log.PanicLevel)
	klog.SetOutput(io.Discard)
	klog.LogToStderr(false)

	input, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail("reading standard input: %v", err)
	}
	var out any
	switch os.Args[1] {
	case "permissions":
		out, err = runPermissions(input)
	case "sync":
		out, err = runSync(input)
	case "health":
		out, err = runHealth(input)
	default:
		fail("unknown command %q: permissions, sync or health", os.Args[1])
	}
	if err != nil {
		fail("%s: %v", os.Args[1], err)
	}
	encoder := json.NewEncoder(os.Stdout)
	encoder.SetIndent("", " ")
	if err := encoder.Encode(out); err != nil {
		fail("writing the verdicts: %v", err)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "argocd-oracle: "+format+"\n", args...)
	os.Exit(2)
}
