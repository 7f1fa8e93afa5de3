// An ESP32 (Arduino core) that posts its heart-rate readings to pulsebase with a device key.
// Readings are batched (up to BATCH per request, every SEND_EVERY_MS) and timestamped from NTP,
// so a batch sent late still lands at the right time; a batch that fails is sent again as it was
// (pulsebase stores each device+timestamp once, so a retry never duplicates).
//
// Set WIFI_SSID, WIFI_PASSWORD, PULSEBASE_URL and DEVICE_KEY (the pbd_... key shown once when the
// device was added), and replace readBpm() with your sensor's driver. Libraries: the ESP32 core's
// WiFi, HTTPClient and time functions only.
#include <WiFi.h>
#include <HTTPClient.h>
#include <time.h>

const char* WIFI_SSID = "your-wifi";
const char* WIFI_PASSWORD = "your-password";
const char* PULSEBASE_URL = "http://192.168.1.10:8080/v1/heart-rate/samples";
const char* DEVICE_KEY = "pbd_replace_me";

const int BATCH = 20;
const unsigned long SEND_EVERY_MS = 10000;
const unsigned long READ_EVERY_MS = 1000;

struct Reading { time_t seconds; int millis; float bpm; };
Reading pending[BATCH];
int pendingCount = 0;
unsigned long lastRead = 0, lastSend = 0;

float readBpm() {
  // Replace with your sensor (MAX30102, a chest strap over BLE, ...). This fakes a resting pulse.
  return 60.0 + (esp_random() % 200) / 10.0;
}

void isoTime(const Reading& r, char* out, size_t size) {
  struct tm t;
  gmtime_r(&r.seconds, &t);
  // RFC 3339 with milliseconds and an explicit zone, e.g. 2026-11-30T08:00:00.250Z
  snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, r.millis);
}

bool sendPending() {
  String body = "{\"samples\":[";
  char when[32];
  for (int i = 0; i < pendingCount; i++) {
    isoTime(pending[i], when, sizeof when);
    body += String(i ? "," : "") + "{\"timestamp\":\"" + when + "\",\"bpm\":" + String(pending[i].bpm, 1) + "}";
  }
  body += "]}";
  HTTPClient http;
  http.begin(PULSEBASE_URL);
  http.addHeader("Content-Type", "application/json");
  http.addHeader("Authorization", String("Bearer ") + DEVICE_KEY);
  int status = http.POST(body);
  http.end();
  // 200: stored (each sample has its verdict in the body). 4xx: fix the request, do not resend.
  return status == 200 || (status >= 400 && status < 500 && status != 429);
}

void setup() {
  Serial.begin(115200);
  WiFi.begin(WIFI_SSID, WIFI_PASSWORD);
  while (WiFi.status() != WL_CONNECTED) delay(250);
  configTime(0, 0, "pool.ntp.org");
  while (time(nullptr) < 1700000000) delay(250);  // wait for NTP: samples need real times
}

void loop() {
  unsigned long now = millis();
  if (now - lastRead >= READ_EVERY_MS && pendingCount < BATCH) {
    lastRead = now;
    struct timeval tv;
    gettimeofday(&tv, nullptr);
    pending[pendingCount++] = { tv.tv_sec, (int)(tv.tv_usec / 1000), readBpm() };
  }
  if (pendingCount > 0 && (pendingCount == BATCH || now - lastSend >= SEND_EVERY_MS)) {
    lastSend = now;
    if (sendPending()) pendingCount = 0;  // else keep them and try again next time
  }
}
