// Original file: proto/heartrate/heartrate_service.proto

import type { AlertType as _heartrate_AlertType, AlertType__Output as _heartrate_AlertType__Output } from '../heartrate/AlertType.js';

export interface HeartRateResponse {
  'success'?: (boolean);
  'error'?: (string);
  'alertTriggered'?: (boolean);
  'alertType'?: (_heartrate_AlertType);
}

export interface HeartRateResponse__Output {
  'success': (boolean);
  'error': (string);
  'alertTriggered': (boolean);
  'alertType': (_heartrate_AlertType__Output);
}
