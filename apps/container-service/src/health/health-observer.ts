import type { LifecycleObserver } from '../lifecycle/lifecycle-observer';
import type { HealthMonitor } from './health-monitor';

/** Health checks follow the lifecycle: probing from each start, resumed for a container found running, stopped with it. */
export function healthObserver(health: HealthMonitor): LifecycleObserver {
  return {
    started: (r) => health.start(r),
    restored: (r) => health.resume(r),
    stopped: (id) => health.stop(id),
  };
}
