()if{}else"":s
try:
 try:s
 finally:
  with x(**f,t,.1):s;
except:e