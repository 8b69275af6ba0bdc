package main

import (
	"encoding/json"
	"fmt"

	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
)

// scheme knows the core kinds and KEDA's, as KEDA's operator does.
var scheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		panic(err)
	}
	if err := kedav1alpha1.AddToScheme(s); err != nil {
		panic(err)
	}
	return s
}()

var codecs = serializer.NewCodecFactory(scheme)

// restMapper maps every kind of the scheme to its resource, as the API server's discovery would
// for the kinds a case can name as a scale target.
var restMapper = func() meta.RESTMapper {
	m := meta.NewDefaultRESTMapper(scheme.PrioritizedVersionsAllGroups())
	for gvk := range scheme.AllKnownTypes() {
		if gvk.Version == runtime.APIVersionInternal {
			continue
		}
		m.Add(gvk, meta.RESTScopeNamespace)
	}
	return m
}()

// decoded is one object of a case: its raw JSON and, when the scheme knows its kind, its typed form.
type decoded struct {
	raw   json.RawMessage
	kind  string
	name  string
	typed client.Object
}

func decodeAll(raw []json.RawMessage) ([]decoded, error) {
	out := make([]decoded, 0, len(raw))
	for i, r := range raw {
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
			Metadata   struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal(r, &head); err != nil {
			return nil, fmt.Errorf("objects[%d]: %w", i, err)
		}
		d := decoded{raw: r, kind: head.Kind, name: head.Metadata.Name}
		gv, err := schema.ParseGroupVersion(head.APIVersion)
		if err == nil && scheme.Recognizes(gv.WithKind(head.Kind)) {
			obj, _, err := codecs.UniversalDeserializer().Decode(r, nil, nil)
			if err != nil {
				return nil, fmt.Errorf("objects[%d] (%s %s): %w", i, head.Kind, head.Metadata.Name, err)
			}
			// The API server merges a Secret's stringData into its data on write (k8s.io/kubernetes
			// pkg/apis/core/v1 conversion): what KEDA's resolvers read.
			if secret, ok := obj.(*corev1.Secret); ok {
				for k, v := range secret.StringData {
					if secret.Data == nil {
						secret.Data = map[string][]byte{}
					}
					secret.Data[k] = []byte(v)
				}
				secret.StringData = nil
			}
			if typed, ok := obj.(client.Object); ok {
				d.typed = typed
			}
		}
		out = append(out, d)
	}
	return out, nil
}

// fakeClient is a controller-runtime client holding the typed objects given: what the webhook
// and the scale handler read (scale targets, ScaledObjects, HPAs, LimitRanges, Secrets,
// TriggerAuthentications).
func fakeClient(objects []decoded) client.Client {
	builder := fake.NewClientBuilder().WithScheme(scheme).WithRESTMapper(restMapper)
	for _, o := range objects {
		if o.typed != nil {
			builder = builder.WithObjects(o.typed.DeepCopyObject().(client.Object))
		}
	}
	return builder.Build()
}
