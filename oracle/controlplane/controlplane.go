package main

// A Kubernetes control plane in one process: etcd (go.etcd.io/etcd/server/v3, embedded, the
// release Kubernetes 1.35 is tested with: build/dependencies.yaml "etcd" 3.6.6) and the real
// kube-apiserver (k8s.io/kubernetes/cmd/kube-apiserver/app at v1.35.4), both on loopback, in a
// temporary folder removed when it stops. It runs the same code path as the kube-apiserver
// binary (options.NewServerRunOptions, Complete, Validate, app.Run), with this process's own
// context instead of the binary's signal handler, so that it stops when asked.

import (
	"context"
	"flag"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"
	"go.etcd.io/etcd/server/v3/embed"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/klog/v2"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
	"k8s.io/kubernetes/cmd/kube-apiserver/app/options"
)

// StartOptions are what a caller may choose; zero values pick free loopback ports.
type StartOptions struct {
	EtcdPort      int
	APIServerPort int
	// LogFile receives etcd's and kube-apiserver's logs (they are noisy); empty: the temporary folder.
	LogFile string
	// Timeout for each component to become ready.
	Timeout time.Duration
}

// ControlPlane is a running etcd and kube-apiserver.
type ControlPlane struct {
	Dir        string
	Config     *rest.Config
	Client     kubernetes.Interface
	Kubeconfig string
	LogFile    string
	etcd       *embed.Etcd
	cancel     context.CancelFunc
	done       chan error
}

// StartError names the component that failed, so that a caller can say what went wrong.
type StartError struct {
	Component string
	Err       error
}

func (e *StartError) Error() string { return fmt.Sprintf("%s: %v", e.Component, e.Err) }
func (e *StartError) Unwrap() error { return e.Err }

// listen opens a loopback port (0: a free one) and says plainly when it is taken.
func listen(component string, port int) (net.Listener, int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, 0, &StartError{component, fmt.Errorf("port %d on 127.0.0.1 is taken by another process: free it or choose another port", port)}
		}
		return nil, 0, &StartError{component, err}
	}
	return l, l.Addr().(*net.TCPAddr).Port, nil
}

// freePort finds a free port for etcd, which opens its own listeners: the port is closed again
// at once, and etcd binds it a few milliseconds later.
func freePort(component string, port int) (int, error) {
	l, p, err := listen(component, port)
	if err != nil {
		return 0, err
	}
	return p, l.Close()
}

// Start brings up etcd, then kube-apiserver, and returns once /readyz answers ok (every
// post-start hook done: bootstrap RBAC, priority classes, the default namespaces).
func Start(ctx context.Context, opts StartOptions) (cp *ControlPlane, err error) {
	if opts.Timeout == 0 {
		opts.Timeout = 3 * time.Minute
	}
	dir, err := os.MkdirTemp("", "karpenter-as-code-controlplane-")
	if err != nil {
		return nil, &StartError{"temporary folder", err}
	}
	cp = &ControlPlane{Dir: dir, LogFile: opts.LogFile}
	if cp.LogFile == "" {
		cp.LogFile = filepath.Join(dir, "controlplane.log")
	}
	defer func() {
		if err != nil {
			cp.Stop()
		}
	}()
	logs, err := os.OpenFile(cp.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return cp, &StartError{"log file", err}
	}
	// klog is kube-apiserver's logger: to the file, never to stderr (not even its errors).
	klogFlags := flag.NewFlagSet("klog", flag.ContinueOnError)
	klog.InitFlags(klogFlags)
	_ = klogFlags.Parse([]string{"-logtostderr=false", "-stderrthreshold=FATAL"})
	klog.SetOutput(logs)

	etcdURL, err := cp.startEtcd(opts, logs)
	if err != nil {
		return cp, err
	}
	if err := cp.startAPIServer(ctx, opts, etcdURL); err != nil {
		return cp, err
	}
	return cp, nil
}

func (cp *ControlPlane) startEtcd(opts StartOptions, logs *os.File) (string, error) {
	clientPort, err := freePort("etcd", opts.EtcdPort)
	if err != nil {
		return "", err
	}
	peerPort, err := freePort("etcd (peer)", 0)
	if err != nil {
		return "", err
	}
	cfg := embed.NewConfig()
	cfg.Name = "controlplane"
	cfg.Dir = filepath.Join(cp.Dir, "etcd")
	client := url.URL{Scheme: "http", Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(clientPort))}
	peer := url.URL{Scheme: "http", Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(peerPort))}
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{client}, []url.URL{client}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{peer}, []url.URL{peer}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.LogLevel = "error"
	cfg.LogOutputs = []string{logs.Name()}
	// A throw-away store: no fsync (what Kubernetes' own integration tests run etcd with).
	cfg.UnsafeNoFsync = true
	etcd, err := embed.StartEtcd(cfg)
	if err != nil {
		if strings.Contains(err.Error(), "address already in use") {
			return "", &StartError{"etcd", fmt.Errorf("port %d or %d on 127.0.0.1 was taken before etcd could bind it: %v", clientPort, peerPort, err)}
		}
		return "", &StartError{"etcd", err}
	}
	cp.etcd = etcd
	select {
	case <-etcd.Server.ReadyNotify():
	case err := <-etcd.Err():
		return "", &StartError{"etcd", fmt.Errorf("stopped before it was ready: %v", err)}
	case <-time.After(opts.Timeout):
		return "", &StartError{"etcd", fmt.Errorf("not ready after %s (its log: %s)", opts.Timeout, logs.Name())}
	}
	return client.String(), nil
}

func (cp *ControlPlane) startAPIServer(ctx context.Context, opts StartOptions, etcdURL string) error {
	listener, port, err := listen("kube-apiserver", opts.APIServerPort)
	if err != nil {
		return err
	}
	token, err := cp.writeCredentials()
	if err != nil {
		listener.Close()
		return &StartError{"kube-apiserver credentials", err}
	}
	s := options.NewServerRunOptions()
	fs := pflag.NewFlagSet("kube-apiserver", pflag.ContinueOnError)
	for _, f := range s.Flags().FlagSets {
		fs.AddFlagSet(f)
	}
	args := []string{
		"--etcd-servers=" + etcdURL,
		"--cert-dir=" + filepath.Join(cp.Dir, "certs"),
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + filepath.Join(cp.Dir, "sa.pub"),
		"--service-account-signing-key-file=" + filepath.Join(cp.Dir, "sa.key"),
		"--token-auth-file=" + filepath.Join(cp.Dir, "tokens.csv"),
		"--authorization-mode=RBAC",
		// As EKS and kubeadm run it: privileged containers are allowed by the API server and left
		// to Pod Security admission (the namespace's level).
		"--allow-privileged=true",
		"--service-cluster-ip-range=10.96.0.0/16",
		"--advertise-address=127.0.0.1",
		// No kubelet or endpoint will ever use the "kubernetes" Service's endpoints, which refuse a
		// loopback address.
		"--endpoint-reconciler-type=none",
		// One client, no contention: flow control only costs start-up time here.
		"--enable-priority-and-fairness=false",
	}
	if err := fs.Parse(args); err != nil {
		listener.Close()
		return &StartError{"kube-apiserver flags", err}
	}
	s.SecureServing.Listener, s.SecureServing.BindPort = listener, port
	if err := s.GenericServerRunOptions.ComponentGlobalsRegistry.Set(); err != nil {
		return &StartError{"kube-apiserver feature gates", err}
	}
	// Logging options are not applied (logsapi.ValidateAndApply): their text logger writes to
	// stderr, and klog, set up in Start, already writes to the log file.
	runCtx, cancel := context.WithCancel(ctx)
	cp.cancel = cancel
	completed, err := s.Complete(runCtx)
	if err != nil {
		return &StartError{"kube-apiserver options", err}
	}
	if errs := completed.Validate(); len(errs) != 0 {
		return &StartError{"kube-apiserver options", utilerrors.NewAggregate(errs)}
	}
	cp.done = make(chan error, 1)
	go func() { cp.done <- app.Run(runCtx, completed) }()

	cp.Config = &rest.Config{
		Host:            "https://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		BearerToken:     token,
		TLSClientConfig: rest.TLSClientConfig{CAFile: filepath.Join(cp.Dir, "certs", "apiserver.crt")},
		QPS:             1000,
		Burst:           1000,
		Timeout:         60 * time.Second,
	}
	return cp.waitReady(ctx, opts.Timeout)
}

// waitReady polls /readyz until it answers ok, the server stops, or the timeout passes.
func (cp *ControlPlane) waitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last string
	for {
		select {
		case err := <-cp.done:
			cp.done = nil
			return &StartError{"kube-apiserver", fmt.Errorf("stopped before it was ready: %v (its log: %s)", err, cp.LogFile)}
		case <-ctx.Done():
			return &StartError{"kube-apiserver", ctx.Err()}
		case <-time.After(200 * time.Millisecond):
		}
		// The serving certificate is written when the server starts; until then there is no client.
		if _, err := os.Stat(cp.Config.TLSClientConfig.CAFile); err == nil {
			if cp.Client == nil {
				client, err := kubernetes.NewForConfig(cp.Config)
				if err != nil {
					return &StartError{"kube-apiserver client", err}
				}
				cp.Client = client
			}
			body, err := cp.Client.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
			if err == nil && string(body) == "ok" {
				return cp.writeKubeconfig()
			}
			last = strings.TrimSpace(string(body))
			if err != nil {
				last = err.Error()
			}
		}
		if time.Now().After(deadline) {
			return &StartError{"kube-apiserver", fmt.Errorf("not ready after %s: %s (its log: %s)", timeout, last, cp.LogFile)}
		}
	}
}

// writeCredentials writes the service-account signing key pair and a token file that makes
// the one client of this control plane a member of system:masters.
func (cp *ControlPlane) writeCredentials() (string, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", err
	}
	priv := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	pubDER, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return "", err
	}
	pub := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	raw := make([]byte, 24)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	token := hex.EncodeToString(raw)
	for name, content := range map[string][]byte{
		"sa.key":     priv,
		"sa.pub":     pub,
		"tokens.csv": []byte(token + ",karpenter-as-code,karpenter-as-code,system:masters\n"),
	} {
		if err := os.WriteFile(filepath.Join(cp.Dir, name), content, 0o600); err != nil {
			return "", err
		}
	}
	return token, nil
}

// writeKubeconfig lets a person (or kubectl) talk to the control plane while it runs.
func (cp *ControlPlane) writeKubeconfig() error {
	cp.Kubeconfig = filepath.Join(cp.Dir, "kubeconfig")
	content := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: controlplane
  cluster:
    server: %s
    certificate-authority: %s
users:
- name: admin
  user:
    token: %s
contexts:
- name: controlplane
  context: {cluster: controlplane, user: admin}
current-context: controlplane
`, cp.Config.Host, cp.Config.TLSClientConfig.CAFile, cp.Config.BearerToken)
	return os.WriteFile(cp.Kubeconfig, []byte(content), 0o600)
}

// Stop stops kube-apiserver, then etcd, and removes the temporary folder. Safe to call twice.
func (cp *ControlPlane) Stop() {
	if cp.cancel != nil {
		cp.cancel()
		cp.cancel = nil
		if cp.done != nil {
			select {
			case <-cp.done:
			case <-time.After(30 * time.Second):
			}
			cp.done = nil
		}
	}
	if cp.etcd != nil {
		cp.etcd.Close()
		cp.etcd = nil
	}
	if cp.Dir != "" {
		os.RemoveAll(cp.Dir)
		cp.Dir = ""
	}
}
