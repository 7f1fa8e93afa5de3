// Original file: proto/heartrate/heartrate_service.proto

import type { HeartRateMeasurement as _heartrate_HeartRateMeasurement, HeartRateMeasurement__Output as _heartrate_HeartRateMeasurement__Output } from '../heartrate/HeartRateMeasurement.js';
import type { AlertType as _heartrate_AlertType, AlertType__Output as _heartrate_AlertType__Output } from '../heartrate/AlertType.js';
import type { HeartRateStats as _heartrate_HeartRateStats, HeartRateStats__Output as _heartrate_HeartRateStats__Output } from '../heartrate/HeartRateStats.js';

export interface StatusResponse {
  'recentMeasurements'?: (_heartrate_HeartRateMeasurement)[];
  'alertActive'?: (boolean);
  'alertType'?: (_heartrate_AlertType);
  'stats'?: (_heartrate_HeartRateStats | null);
}

export interface StatusResponse__Output {
  'recentMeasurements': (_heartrate_HeartRateMeasurement__Output)[];
  'alertActive': (boolean);
  'alertType': (_heartrate_AlertType__Output);
  'stats': (_heartrate_HeartRateStats__Output | null);
}
