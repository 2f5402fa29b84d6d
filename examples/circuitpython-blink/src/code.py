# Entry point: CircuitPython runs code.py as source, so mpyship keeps it as .py.
import time

from blinker.pattern import Pattern

pattern = Pattern([0.2, 0.2, 0.6], repeat=3)
for on, seconds in pattern.steps():
    print("LED", "on" if on else "off", "for", seconds, "s")
    time.sleep(seconds)
