// Original file: proto/pulsebase/v1/heart_rate.proto


export interface SubscribeRequest {
}

export interface SubscribeRequest__Output {
}
