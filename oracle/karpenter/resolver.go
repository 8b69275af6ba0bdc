package main

import (
	"fmt"
	"reflect"

	"github.com/aws/karpenter-provider-aws/pkg/providers/instancetype"
)

// newResolver is the provider's own instance-type resolver for a region
// (pkg/providers/instancetype/types.go NewDefaultResolver). Karpenter 1.15.0 added a parameter (the
// CEL environment of kubelet expressions, which only a node class writing expressions uses); calling
// it through reflection, with the zero value for any parameter after the region, lets the same
// source build against 1.14.1 (go.mod) and a later release (go.<variant>.mod).
func newResolver(region string) instancetype.Resolver {
	fn := reflect.ValueOf(instancetype.NewDefaultResolver)
	args := []reflect.Value{reflect.ValueOf(region)}
	for i := 1; i < fn.Type().NumIn(); i++ {
		args = append(args, reflect.Zero(fn.Type().In(i)))
	}
	resolver, ok := fn.Call(args)[0].Interface().(instancetype.Resolver)
	if !ok {
		panic(fmt.Sprintf("instancetype.NewDefaultResolver returned %s, not a Resolver", fn.Type().Out(0)))
	}
	return resolver
}
