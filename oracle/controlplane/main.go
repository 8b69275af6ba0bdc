// Command controlplane runs the real Kubernetes control plane on loopback and checks manifests
// against it. Subcommands:
//
//	serve    start etcd and kube-apiserver, print the kubeconfig's path, run until interrupted
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: controlplane <serve> [flags]")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch os.Args[1] {
	case "serve":
		err = serve(ctx)
	default:
		fmt.Fprintf(os.Stderr, "controlplane: unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "controlplane %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func serve(ctx context.Context) error {
	cp, err := Start(ctx, StartOptions{})
	if err != nil {
		return err
	}
	defer cp.Stop()
	json.NewEncoder(os.Stdout).Encode(map[string]string{"kubeconfig": cp.Kubeconfig, "server": cp.Config.Host})
	<-ctx.Done()
	return nil
}
