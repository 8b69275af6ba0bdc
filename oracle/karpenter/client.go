package main

import (
	"k8s.io/client-go/kubernetes/scheme"
	clienttesting "k8s.io/client-go/testing"
	"sigs.k8s.io/controller-runtime/pkg/client"
	fakecr "sigs.k8s.io/controller-runtime/pkg/client/fake"
	karpv1 "sigs.k8s.io/karpenter/pkg/apis/v1"

	v1 "github.com/aws/karpenter-provider-aws/pkg/apis/v1"
)

// newClient is the fake API the controllers read and write, as the scheduling benchmark uses
// (controller-runtime pkg/client/fake), with status subresources for Karpenter's kinds. Its tracker
// keeps no managed fields: the default one builds a REST mapper on every write, most of the drift
// corpus's time, and nothing here reads managed fields.
func newClient(objects ...client.Object) client.Client {
	return fakecr.NewClientBuilder().
		WithScheme(scheme.Scheme).
		WithObjectTracker(clienttesting.NewObjectTracker(scheme.Scheme, scheme.Codecs.UniversalDecoder())).
		WithObjects(objects...).
		WithStatusSubresource(&karpv1.NodeClaim{}, &karpv1.NodePool{}, &v1.EC2NodeClass{}).
		Build()
}
