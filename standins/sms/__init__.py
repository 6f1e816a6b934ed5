"""SMS gateway stand-ins on 127.0.0.1: a brandname aggregator (eSMS-like) and the Android
SMS gateway app's API, with simulated phones that receive SMS and reply."""
