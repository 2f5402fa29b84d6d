import demo
