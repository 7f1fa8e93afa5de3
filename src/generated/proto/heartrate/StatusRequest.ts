// Original file: proto/heartrate/heartrate_service.proto


export interface StatusRequest {
  'recentCount'?: (number);
}

export interface StatusRequest__Output {
  'recentCount': (number);
}
