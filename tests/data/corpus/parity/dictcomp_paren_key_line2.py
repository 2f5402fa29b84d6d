y = {(
    1): (
    2) for x in e}
z = {(
    ...): 2 for x in e}
