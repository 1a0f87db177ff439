"""The new-request chime (static/sounds/new-request.wav), made here rather than downloaded: two short
sine tones (A5 then E6) with a soft fade, 8 kHz 8-bit mono, about 3 KB. Regenerate with
`python -m notifications.sounds static/sounds/new-request.wav`; a test checks the file matches."""

import io
import math
import sys
import wave

RATE = 8000


def _tone(frequency: float, seconds: float, volume: float = 0.45) -> bytes:
    count = int(RATE * seconds)
    fade = int(RATE * 0.02)
    samples = bytearray()
    for i in range(count):
        envelope = min(1.0, i / fade, (count - i) / fade)
        value = volume * envelope * math.sin(2 * math.pi * frequency * i / RATE)
        samples.append(int(128 + 127 * value))
    return bytes(samples)


def chime_wav() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(1)
        out.setframerate(RATE)
        out.writeframes(_tone(880.0, 0.14) + bytes([128]) * int(RATE * 0.04) + _tone(1318.5, 0.2))
    return buffer.getvalue()


if __name__ == "__main__":
    with open(sys.argv[1], "wb") as target:
        target.write(chime_wav())
    print("written", sys.argv[1])
