// Original file: proto/heartrate/heartrate_service.proto


export interface ExerciseZoneResponse {
  'zone1Time'?: (number);
  'zone2Time'?: (number);
  'zone3Time'?: (number);
  'totalDuration'?: (number);
  'averageHeartRate'?: (number | string);
}

export interface ExerciseZoneResponse__Output {
  'zone1Time': (number);
  'zone2Time': (number);
  'zone3Time': (number);
  'totalDuration': (number);
  'averageHeartRate': (number);
}
