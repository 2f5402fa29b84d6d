class Pattern:
    """Alternating on/off durations, repeated."""

    def __init__(self, durations, repeat=1):
        if not durations:
            raise ValueError("empty pattern")
        self.durations = tuple(durations)
        self.repeat = repeat

    def steps(self):
        on = True
        for _ in range(self.repeat):
            for seconds in self.durations:
                yield on, seconds
                on = not on

    def total(self):
        return sum(self.durations) * self.repeat
