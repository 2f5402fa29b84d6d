def g():
 x = (super
)(
)
