// Original file: proto/pulsebase/v1/heart_rate.proto

export const AlertKind = {
  ALERT_KIND_NONE: 'ALERT_KIND_NONE',
  LOW: 'LOW',
  HIGH: 'HIGH',
} as const;

export type AlertKind =
  | 'ALERT_KIND_NONE'
  | 0
  | 'LOW'
  | 1
  | 'HIGH'
  | 2

export type AlertKind__Output = typeof AlertKind[keyof typeof AlertKind]
