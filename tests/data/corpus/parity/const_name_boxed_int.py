REG_26_1=const(-(1<<62))
def o():(f'{REG_26_1}')