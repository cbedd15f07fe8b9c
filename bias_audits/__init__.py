"""bias_audits"""
