"""Bayesian calibration (pyABC ABC-SMC over Dask) and validation of the sidedoor model.

One module per step: ``targets`` (observed figures and weights), ``distance``, ``priors``,
``simulator`` (parameters -> summary statistics), ``abc`` (the ABC-SMC driver), ``cluster``
(Dask and the samplers), ``records`` (the store's calibration tables), ``posterior`` (the
shipped posterior and predictive draws), ``validation``.

Nothing is imported here eagerly: pyABC and Dask take seconds to import, and most
``sidedoor`` commands never need them. Import the submodules you use.
"""
