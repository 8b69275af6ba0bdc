/**
 * NetworkPolicy semantics (Kubernetes' own, held to cyclonus and apimachinery by the project's Go
 * tier): which pods a policy selects, which connections the policies of a set allow, and the
 * annotations by which a render declares the flows its workloads need.
 */
export * from './network/addresses';
export * from './network/declared';
export * from './network/engine';
export * from './network/explain';
export * from './network/pods';
export * from './network/policies';
