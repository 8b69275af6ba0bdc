package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"
	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	"github.com/kedacore/keda/v2/pkg/eventreason"
	"github.com/kedacore/keda/v2/pkg/scalers/authentication"
	"github.com/kedacore/keda/v2/pkg/scaling"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	corev1listers "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
)

// triggerVerdict is what KEDA's scale handler made of one trigger.
type triggerVerdict struct {
	Index int    `json:"index"`
	Type  string `json:"type"`
	// Error is the error building the scaler, when it is not the connection the scaler opens
	// once its metadata is read (the oracle gives it a cancelled context: nothing is dialled).
	Error string `json:"error,omitempty"`
	// Connects is true when the scaler read its metadata and went on to connect.
	Connects bool `json:"connects,omitempty"`
	// Unmatched are the metadata keys KEDA's typed config reports it did not read
	// (scalersconfig/typed_config.go checkUnexpectedParameterExist).
	Unmatched []string `json:"unmatched,omitempty"`
	// Announced are the deprecation notes KEDA's typed config announces (deprecatedAnnounce).
	Announced []string `json:"announced,omitempty"`
}

// recorder keeps the events KEDA records while building scalers.
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) Eventf(_ runtime.Object, _ runtime.Object, eventtype, reason, _ string, note string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, eventtype+" "+reason+" "+fmt.Sprintf(note, args...))
}

// buildTriggers builds each trigger of a ScaledObject on its own (KEDA stops at a ScaledObject's
// first trigger that fails), through KEDA's scale handler (pkg/scaling scale_handler.go
// GetScalersCache: the scale target's pod spec, its containers' environment, the
// TriggerAuthentication's parameters with their Secrets, then scalers_builder.go buildScaler).
func buildTriggers(so decoded, objects []decoded) ([]triggerVerdict, error) {
	typed, ok := so.typed.(*kedav1alpha1.ScaledObject)
	if !ok {
		return nil, nil
	}
	verdicts := []triggerVerdict{}
	for i, trigger := range typed.Spec.Triggers {
		one := typed.DeepCopy()
		one.Spec.Triggers = []kedav1alpha1.ScaleTriggers{trigger}
		// The scaling formula names every trigger: the webhook compiles it with all of them, and
		// GetScalersCache would compile it again against this one alone.
		if one.Spec.Advanced != nil {
			one.Spec.Advanced.ScalingModifiers = kedav1alpha1.ScalingModifiers{}
		}
		verdict := triggerVerdict{Index: i, Type: trigger.Type}
		// The ScaledObject controller records the scale target's kind in the status before it builds
		// scalers (controllers/keda/scaledobject_controller.go); the same parse here.
		gvkr, err := kedav1alpha1.ParseGVKR(restMapper, one.Spec.ScaleTargetRef.APIVersion, one.Spec.ScaleTargetRef.Kind)
		if err != nil {
			verdict.Error = fmt.Sprintf("scale target: %v", err)
			verdicts = append(verdicts, verdict)
			continue
		}
		one.Status.ScaleTargetGVKR = &gvkr
		events, buildErr := build(one, objects)
		switch {
		case buildErr == nil:
		case errors.Is(buildErr, context.Canceled):
			verdict.Connects = true
		default:
			verdict.Error = withoutStack(buildErr.Error())
		}
		for _, e := range events {
			if key, ok := strings.CutPrefix(e, corev1.EventTypeWarning+" "+eventreason.KEDAScalersInfo+" Unmatched input property "); ok {
				verdict.Unmatched = append(verdict.Unmatched, strings.SplitN(key, " in scaler ", 2)[0])
			} else if note, ok := strings.CutPrefix(e, corev1.EventTypeNormal+" "+eventreason.KEDAScalersInfo+" "); ok && strings.Contains(note, " info: ") {
				verdict.Announced = append(verdict.Announced, note)
			}
		}
		sort.Strings(verdict.Unmatched)
		verdicts = append(verdicts, verdict)
	}
	return verdicts, nil
}

// build runs KEDA's scale handler on a ScaledObject with a cancelled context, and returns the
// events it recorded and its error (a panic in a scaler's parsing is an error too: KEDA's
// operator would crash-loop on it).
func build(so *kedav1alpha1.ScaledObject, objects []decoded) (events []string, err error) {
	rec := &recorder{}
	handler := scaling.NewScaleHandler(fakeClient(objects), nil, scheme, 3*time.Second, rec, &authentication.AuthClientSet{SecretLister: secretLister(objects)})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
		rec.mu.Lock()
		events = rec.events
		rec.mu.Unlock()
	}()
	cache, err := handler.GetScalersCache(ctx, so)
	if cache != nil {
		cache.Close(ctx)
	}
	return nil, err
}

// secretLister lists the case's Secrets, for KEDA's resolvers that read through a lister.
func secretLister(objects []decoded) corev1listers.SecretLister {
	indexer := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	for _, o := range objects {
		if secret, ok := o.typed.(*corev1.Secret); ok {
			_ = indexer.Add(secret.DeepCopy())
		}
	}
	return corev1listers.NewSecretLister(indexer)
}

// silenceLogs keeps KEDA's and controller-runtime's logs (errors they log on the way to a
// verdict) out of the output.
func silenceLogs() {
	logf.SetLogger(logr.Discard())
	klog.SetLogger(logr.Discard())
}

func metaTypeOf(apiVersion, kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: apiVersion, Kind: kind}
}

func groupVersionKind(kind string) metav1.GroupVersionKind {
	return metav1.GroupVersionKind{Group: kedav1alpha1.GroupVersion.Group, Version: kedav1alpha1.GroupVersion.Version, Kind: kind}
}

func groupVersionResource(resource string) metav1.GroupVersionResource {
	gvr := schema.GroupVersionResource{Group: kedav1alpha1.GroupVersion.Group, Version: kedav1alpha1.GroupVersion.Version, Resource: resource}
	return metav1.GroupVersionResource{Group: gvr.Group, Version: gvr.Version, Resource: gvr.Resource}
}

// withoutStack drops the goroutine stack KEDA's typed config appends to a recovered panic
// (scalersconfig/typed_config.go TypedConfig): its addresses change from run to run.
func withoutStack(message string) string {
	if i := strings.Index(message, "\ngoroutine "); i >= 0 {
		return message[:i]
	}
	return message
}
