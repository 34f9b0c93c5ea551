"""Camera coaching: pose landmarks in, reps, holds and form cues out (extra ``[vision]``).

Pure parts (no OpenCV, MediaPipe or numpy): ``landmarks`` (types, JSON Lines),
``geometry``, ``smoothing``, ``counting``, ``view`` and the ``analyzers``
package (one module per exercise behind the ``Analyzer`` protocol). I/O parts,
importing OpenCV and MediaPipe lazily: ``sources``, ``pose``, ``annotate``,
``pipeline``.
"""
