// Original file: proto/heartrate/heartrate_service.proto

import type { HeartRateMeasurement as _heartrate_HeartRateMeasurement, HeartRateMeasurement__Output as _heartrate_HeartRateMeasurement__Output } from '../heartrate/HeartRateMeasurement.js';

export interface ExerciseZoneRequest {
  'age'?: (number);
  'measurements'?: (_heartrate_HeartRateMeasurement)[];
}

export interface ExerciseZoneRequest__Output {
  'age': (number);
  'measurements': (_heartrate_HeartRateMeasurement__Output)[];
}
