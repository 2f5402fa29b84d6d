class Counter(object):
    step = 1

    def __init__(self, start=0):
        self.n = start

    def bump(self):
        self.n += self.step
        return self.n
