// Original file: proto/pulsebase/v1/heart_rate.proto


export interface StatusRequest {
  'recent'?: (number);
}

export interface StatusRequest__Output {
  'recent': (number);
}
