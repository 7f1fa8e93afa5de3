// Original file: proto/pulsebase/v1/heart_rate.proto

export const VerdictStatus = {
  VERDICT_STATUS_UNSPECIFIED: 'VERDICT_STATUS_UNSPECIFIED',
  STORED: 'STORED',
  REJECTED: 'REJECTED',
} as const;

export type VerdictStatus =
  | 'VERDICT_STATUS_UNSPECIFIED'
  | 0
  | 'STORED'
  | 1
  | 'REJECTED'
  | 2

export type VerdictStatus__Output = typeof VerdictStatus[keyof typeof VerdictStatus]
