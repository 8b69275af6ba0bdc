package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"

	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/events"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/webhook"
)

// webhookVerdict is what KEDA's validating webhook answered.
type webhookVerdict struct {
	Allowed  bool     `json:"allowed"`
	Message  string   `json:"message,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
}

// fakeManager is the part of a controller-runtime manager KEDA's webhook setup uses
// (apis/keda/v1alpha1/scaledobject_webhook.go SetupWebhookWithManager: its client, REST mapper and
// event recorder; the builder: scheme, config, webhook server). Any other method panics through
// the nil embedded interface, naming what the webhook needed that this oracle does not fake.
type fakeManager struct {
	manager.Manager
	client client.Client
	server webhook.Server
}

func (m *fakeManager) GetClient() client.Client                     { return m.client }
func (m *fakeManager) GetAPIReader() client.Reader                  { return m.client }
func (m *fakeManager) GetRESTMapper() meta.RESTMapper               { return restMapper }
func (m *fakeManager) GetScheme() *runtime.Scheme                   { return scheme }
func (m *fakeManager) GetConfig() *rest.Config                      { return &rest.Config{} }
func (m *fakeManager) GetWebhookServer() webhook.Server             { return m.server }
func (m *fakeManager) GetEventRecorder(string) events.EventRecorder { return &events.FakeRecorder{} }

func newManager(objects []decoded) *fakeManager {
	return &fakeManager{client: fakeClient(objects), server: webhook.NewServer(webhook.Options{WebhookMux: http.NewServeMux()})}
}

// The paths KEDA registers its validating webhooks at (the kubebuilder markers of
// scaledobject_webhook.go and triggerauthentication_webhook.go).
const (
	scaledObjectPath          = "/validate-keda-sh-v1alpha1-scaledobject"
	triggerAuthenticationPath = "/validate-keda-sh-v1alpha1-triggerauthentication"
)

// admitScaledObject sends a ScaledObject's creation through KEDA's webhook, whose client holds
// the cluster given.
func admitScaledObject(o decoded, cluster []decoded) (*webhookVerdict, error) {
	mgr := newManager(cluster)
	if err := (&kedav1alpha1.ScaledObject{}).SetupWebhookWithManager(mgr, false); err != nil {
		return nil, fmt.Errorf("setting up KEDA's ScaledObject webhook: %w", err)
	}
	return review(mgr.server, scaledObjectPath, "scaledobjects", o)
}

// admitTriggerAuthentication sends a TriggerAuthentication's creation through KEDA's webhook.
func admitTriggerAuthentication(o decoded) (*webhookVerdict, error) {
	mgr := newManager(nil)
	if err := (&kedav1alpha1.TriggerAuthentication{}).SetupWebhookWithManager(mgr); err != nil {
		return nil, fmt.Errorf("setting up KEDA's TriggerAuthentication webhook: %w", err)
	}
	return review(mgr.server, triggerAuthenticationPath, "triggerauthentications", o)
}

// review posts the AdmissionReview the API server would send for creating the object (not a
// dry run) to the webhook server's handler, and reads its answer.
func review(server webhook.Server, path, resource string, o decoded) (*webhookVerdict, error) {
	var meta struct {
		Metadata struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(o.raw, &meta); err != nil {
		return nil, err
	}
	namespace := meta.Metadata.Namespace
	if namespace == "" {
		namespace = "default"
	}
	dryRun := false
	request := admissionv1.AdmissionReview{
		TypeMeta: metaTypeOf("admission.k8s.io/v1", "AdmissionReview"),
		Request: &admissionv1.AdmissionRequest{
			UID:       "karpenter-as-code",
			Kind:      groupVersionKind(o.kind),
			Resource:  groupVersionResource(resource),
			Name:      meta.Metadata.Name,
			Namespace: namespace,
			Operation: admissionv1.Create,
			Object:    runtime.RawExtension{Raw: o.raw},
			DryRun:    &dryRun,
		},
	}
	body, err := json.Marshal(request)
	if err != nil {
		return nil, err
	}
	recorder := httptest.NewRecorder()
	httpRequest := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	httpRequest.Header.Set("Content-Type", "application/json")
	server.WebhookMux().ServeHTTP(recorder, httpRequest)
	var answer admissionv1.AdmissionReview
	if err := json.Unmarshal(recorder.Body.Bytes(), &answer); err != nil || answer.Response == nil {
		return nil, fmt.Errorf("the webhook at %s answered %d %q", path, recorder.Code, recorder.Body.String())
	}
	verdict := &webhookVerdict{Allowed: answer.Response.Allowed, Warnings: answer.Response.Warnings}
	if answer.Response.Result != nil {
		verdict.Message = answer.Response.Result.Message
	}
	return verdict, nil
}
