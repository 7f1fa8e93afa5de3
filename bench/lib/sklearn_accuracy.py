# The scikit-learn peer of bench/playground-accuracy.ts: reads {width, inputs, targets, testCount,
# algorithms, forestSeeds} as JSON on stdin (rows train-then-test, the split pulsebase made) and prints the
# held-out accuracy of each algorithm as one JSON line. Run with Debian's /usr/bin/python3.
import json
import sys

import sklearn
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

job = json.load(sys.stdin)
width = job['width']
rows = [job['inputs'][i:i + width] for i in range(0, len(job['inputs']), width)]
targets = [int(t) for t in job['targets']]
cut = len(rows) - job['testCount']
MODELS = {
    'decisionTree': lambda: DecisionTreeClassifier(random_state=0),
    # scikit-learn's defaults (max_features='sqrt' per split); the mean over forestSeeds.
    'randomForest': lambda seed=0: RandomForestClassifier(n_estimators=100, random_state=seed),
    'knn': lambda: KNeighborsClassifier(n_neighbors=5),
    # Both sides standardize for logistic regression only (pulsebase's model standardizes with the
    # training rows' mean and deviation, as StandardScaler does); the others see raw features.
    # LogisticRegression's defaults (L2, C=1, lbfgs) with max_iter raised from 100 so that lbfgs
    # converges; pulsebase fits the same objective to its minimum.
    'logisticRegression': lambda: make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
    'naiveBayes': lambda: GaussianNB(),
}
out = {'sklearn': sklearn.__version__}
for name in job['algorithms']:
    if name == 'randomForest':
        seeds = job.get('forestSeeds', [0])
        out[name] = sum(float(MODELS[name](s).fit(rows[:cut], targets[:cut]).score(rows[cut:], targets[cut:])) for s in seeds) / len(seeds)
        continue
    model = MODELS[name]().fit(rows[:cut], targets[:cut])
    out[name] = float(model.score(rows[cut:], targets[cut:]))
print(json.dumps(out))
