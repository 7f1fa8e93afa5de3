// Original file: proto/heartrate/heartrate_service.proto

export const AlertType = {
  NONE: 'NONE',
  LOW_HEART_RATE: 'LOW_HEART_RATE',
  HIGH_HEART_RATE: 'HIGH_HEART_RATE',
} as const;

export type AlertType =
  | 'NONE'
  | 0
  | 'LOW_HEART_RATE'
  | 1
  | 'HIGH_HEART_RATE'
  | 2

export type AlertType__Output = typeof AlertType[keyof typeof AlertType]
