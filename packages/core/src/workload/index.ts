// Pods from workloads: what PSP admission saw when each controller created a pod.
export { podFromWorkload, POD_TEMPLATE_PATHS } from './pod-from-workload.js';
export type { WorkloadLike } from './pod-from-workload.js';
