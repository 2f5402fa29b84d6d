# The example's program: a running average over a few fixed readings. main.py runs it at power-up;
# firmware that freezes this project runs it with `import demo`.
from sensor import Averager

avg = Averager(4)
for reading in (20.5, 21.0, 21.5, 22.0, 22.5):
    print("average:", avg.add(reading))
