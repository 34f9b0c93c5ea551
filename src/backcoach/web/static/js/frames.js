// One landmark frame as the server reads it: `{t_s, landmarks: [[x, y, z, visibility] x 33] | null,
// aspect}`. The coach WebSocket (camera.js) and the desk's posture posts (desk.js) both send
// frames built here, so both round the same way and stay well under the server's size limits.
"use strict";

(function () {
  // 4 decimals is a tenth of a pixel on a 1000-pixel picture: finer digits are noise.
  const round = (value) => Math.round(value * 10000) / 10000;

  // landmarks: BlazePose's [{x, y, z, visibility}] or null when nobody is in view;
  // t: seconds of camera time; video: the <video> playing the camera (for the aspect ratio).
  function encodeFrame(landmarks, t, video) {
    const width = video ? video.videoWidth : 0;
    const height = video ? video.videoHeight : 0;
    return {
      t_s: Math.max(0, Math.round(t * 1000) / 1000),
      landmarks: landmarks
        ? landmarks.map((p) => [round(p.x), round(p.y), round(p.z || 0), round(p.visibility || 0)])
        : null,
      aspect: width && height ? round(width / height) : 1,
    };
  }

  window.BackcoachFrames = { encodeFrame };
})();
