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
// corpus's time, and nothing here reads managed fields. NodeClaims are indexed by their node class
// reference, as the operator indexes them (sigs.k8s.io/karpenter pkg/test/environment.go
// NodeClaimNodeClassRefFieldIndexer): the EC2NodeClass hash controller lists a class's NodeClaims
// by it when the hash version changes (nodeclaimutils.ForNodeClass).
func newClient(objects ...client.Object) client.Client {
	builder := fakecr.NewClientBuilder().
		WithScheme(scheme.Scheme).
		WithObjectTracker(clienttesting.NewObjectTracker(scheme.Scheme, scheme.Codecs.UniversalDecoder())).
		WithObjects(objects...).
		WithStatusSubresource(&karpv1.NodeClaim{}, &karpv1.NodePool{}, &v1.EC2NodeClass{})
	for field, value := range map[string]func(*karpv1.NodeClassReference) string{
		"spec.nodeClassRef.group": func(ref *karpv1.NodeClassReference) string { return ref.Group },
		"spec.nodeClassRef.kind":  func(ref *karpv1.NodeClassReference) string { return ref.Kind },
		"spec.nodeClassRef.name":  func(ref *karpv1.NodeClassReference) string { return ref.Name },
	} {
		builder = builder.WithIndex(&karpv1.NodeClaim{}, field, func(o client.Object) []string {
			if ref := o.(*karpv1.NodeClaim).Spec.NodeClassRef; ref != nil {
				return []string{value(ref)}
			}
			return nil
		})
	}
	return builder.Build()
}
