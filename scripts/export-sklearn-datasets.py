# Writes the playground's built-in datasets (datasets/*.csv) from the files Debian's python3-sklearn
# ships, once, by a maintainer: pulsebase never runs this nor downloads anything at run time.
# Columns: the features under scikit-learn's names, then `target` (the seed's layout).
# Usage: apt-get install -y python3-sklearn && /usr/bin/python3 scripts/export-sklearn-datasets.py
import os
from sklearn import datasets

OUT = os.path.join(os.path.dirname(__file__), '..', 'datasets')
LOADERS = {
    'iris': datasets.load_iris,
    'wine': datasets.load_wine,
    'breast-cancer': datasets.load_breast_cancer,
    'diabetes': datasets.load_diabetes,
    'digits': datasets.load_digits,
}

for name, load in LOADERS.items():
    bunch = load()
    path = os.path.join(OUT, f'{name}.csv')
    with open(path, 'w') as out:
        out.write(','.join([*bunch.feature_names, 'target']) + '\n')
        for row, target in zip(bunch.data, bunch.target):
            # repr: the shortest text that reads back as the same double; whole numbers without '.0'.
            cells = [repr(int(v)) if float(v).is_integer() else repr(float(v)) for v in [*row, target]]
            out.write(','.join(cells) + '\n')
    print(path, bunch.data.shape)
