// Command controlplane runs the real Kubernetes control plane (embedded etcd and kube-apiserver
// v1.35.4) on loopback, and judges manifests with it. Each subcommand starts its own control
// plane in a temporary folder and stops it (folder removed) on success, failure, SIGINT and
// SIGTERM, and when its standard input closes (the parent died), reading JSON from stdin and
// printing JSON on stdout; logs go to a file, never to the terminal.
//
//	controlplane serve               run until interrupted; prints {"kubeconfig", "server"}
//	controlplane openapi <dir>       write the OpenAPI v3 documents it serves into <dir>
//	controlplane admit   < input     the differential oracle (admit.go)
//	controlplane verify  < input     one environment's render applied as Argo CD applies it (verify.go)
//
// Flags (before the subcommand's arguments): --etcd-port N, --apiserver-port N (default: free
// ports), --log-file F.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: controlplane <serve|openapi|admit|verify> [--etcd-port N] [--apiserver-port N] [--log-file F] [args]")
		os.Exit(2)
	}
	command := os.Args[1]
	fs := flag.NewFlagSet(command, flag.ContinueOnError)
	var opts StartOptions
	fs.IntVar(&opts.EtcdPort, "etcd-port", 0, "etcd's client port (default: a free one)")
	fs.IntVar(&opts.APIServerPort, "apiserver-port", 0, "kube-apiserver's port (default: a free one)")
	fs.StringVar(&opts.LogFile, "log-file", "", "where etcd and kube-apiserver log (default: the temporary folder, removed at exit)")
	watchStdin := fs.Bool("exit-on-stdin-close", false, "stop when standard input closes (serve)")
	if err := fs.Parse(os.Args[2:]); err != nil {
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch command {
	case "serve":
		err = serve(ctx, opts, *watchStdin)
	case "openapi":
		if fs.NArg() != 1 {
			fmt.Fprintln(os.Stderr, "usage: controlplane openapi <dir>")
			os.Exit(2)
		}
		err = withControlPlane(ctx, opts, func(cp *ControlPlane) (interface{}, error) { return DumpOpenAPI(ctx, cp, fs.Arg(0)) })
	case "admit":
		var input AdmitInput
		if err = readInput(&input); err == nil {
			err = withControlPlane(ctx, opts, func(cp *ControlPlane) (interface{}, error) { return Admit(ctx, cp, input) })
		}
	case "verify":
		var input VerifyInput
		if err = readInput(&input); err == nil {
			err = withControlPlane(ctx, opts, func(cp *ControlPlane) (interface{}, error) { return Verify(ctx, cp, input) })
		}
	default:
		fmt.Fprintf(os.Stderr, "controlplane: unknown command %q (serve, openapi, admit, verify)\n", command)
		os.Exit(2)
	}
	if err != nil {
		var start *StartError
		if errors.As(err, &start) {
			fmt.Fprintf(os.Stderr, "controlplane %s: the control plane could not start: %v\n", command, err)
			os.Exit(3)
		}
		if errors.Is(err, context.Canceled) {
			fmt.Fprintf(os.Stderr, "controlplane %s: interrupted; everything it started is stopped\n", command)
			os.Exit(130)
		}
		fmt.Fprintf(os.Stderr, "controlplane %s: %v\n", command, err)
		os.Exit(1)
	}
}

func readInput(into interface{}) error {
	data, err := io.ReadAll(os.Stdin)
	if err != nil {
		return fmt.Errorf("reading standard input: %w", err)
	}
	if err := json.Unmarshal(data, into); err != nil {
		return fmt.Errorf("standard input is not the JSON expected: %w", err)
	}
	return nil
}

// withControlPlane starts a control plane, runs fn, prints its result as JSON, and stops it.
func withControlPlane(ctx context.Context, opts StartOptions, fn func(*ControlPlane) (interface{}, error)) error {
	started := time.Now()
	cp, err := Start(ctx, opts)
	if err != nil {
		return err
	}
	defer cp.Stop()
	fmt.Fprintf(os.Stderr, "control plane ready in %.1f s\n", time.Since(started).Seconds())
	result, err := fn(cp)
	if err != nil {
		return err
	}
	out := json.NewEncoder(os.Stdout)
	out.SetEscapeHTML(false)
	return out.Encode(result)
}

func serve(ctx context.Context, opts StartOptions, watchStdin bool) error {
	if watchStdin {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			cancel()
		}()
	}
	cp, err := Start(ctx, opts)
	if err != nil {
		return err
	}
	defer cp.Stop()
	out := json.NewEncoder(os.Stdout)
	out.SetEscapeHTML(false)
	if err := out.Encode(map[string]string{"kubeconfig": cp.Kubeconfig, "server": cp.Config.Host}); err != nil {
		return err
	}
	<-ctx.Done()
	return nil
}
